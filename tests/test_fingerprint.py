"""Masked previews and keyed fingerprints: what we keep instead of raw values."""

from __future__ import annotations

import stat

import pytest

from audit.fingerprint import fingerprint, load_secret, mask, normalise

RANDOM_KEY = "5f1c0e9a7b3d24c8e6f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6"


def test_secret_is_created_once_with_owner_only_permissions(tmp_path):
    first = load_secret(tmp_path / "home")
    second = load_secret(tmp_path / "home")
    assert first == second and len(first) == 32
    mode = stat.S_IMODE((tmp_path / "home" / "secret.key").stat().st_mode)
    assert mode == 0o600


def test_fingerprint_is_keyed_stable_and_separator_insensitive(tmp_path):
    a, b = load_secret(tmp_path / "a"), load_secret(tmp_path / "b")
    assert fingerprint(a, "US_SSN", "123-45-6789") == fingerprint(a, "US_SSN", "123 45 6789")
    assert fingerprint(a, "US_SSN", "123-45-6789") != fingerprint(b, "US_SSN", "123-45-6789")
    assert fingerprint(a, "US_SSN", "123-45-6789") != fingerprint(a, "PHONE_NUMBER", "123-45-6789")
    assert "6789" not in fingerprint(a, "US_SSN", "123-45-6789")


def test_normalise_folds_case_and_separators():
    assert normalise("John  DOE") == normalise("john doe")
    assert normalise("(212) 555-0143") == "2125550143"


@pytest.mark.parametrize(
    ("entity", "value", "expected"),
    [
        ("PERSON", "John Doe", "J*** D**"),
        ("CREDIT_CARD", "4111 1111 1111 1111", "**** **** **** 1111"),
        ("PHONE_NUMBER", "212-555-0143", "***-***-0143"),
        ("API_KEY", "sk-proj-abcdefghijklmnop", "********"),
        ("CARD_SECURITY_CODE", "123", "********"),  # no length: a CVV is three or four digits
        ("CARD_PIN", "123456", "********"),
        ("IP_ADDRESS", "1.1.1.1", "*.*.*.*"),  # a short value is never shown whole
        ("AGE", "7", "*"),
        ("DATE_OF_BIRTH", "03/14/1985", "**/**/1985"),  # the year only, as Safe Harbor allows
        ("DATE_TIME", "March 14, 1985", "***** **, 1985"),
        ("CARD_EXPIRY", "09/28", "**/**"),
        ("US_SSN", "078-05-1120", "***-**-****"),  # fewer than ten digits: none shown
        ("MEDICAL_RECORD_NUMBER", "MRN 884512377", "*** *********"),
        ("LOCATION", "Room 12", "R*** **"),  # words keep a first letter, never a digit
        ("EMAIL_ADDRESS", "john.doe@example.com", "j***.d**@e******.c**"),
        ("URL", "http://x.example/\x1b]0;t\x07", "h***://x.e******/*]*;t*"),  # no control character kept
    ],
)
def test_mask_shows_shape_not_value(entity, value, expected):
    assert mask(entity, value) == expected


def test_unreadable_secret_is_a_config_error(tmp_path):
    from audit.errors import ConfigError

    home = tmp_path / "home"
    home.mkdir()
    (home / "secret.key").write_text("not hex\n")
    with pytest.raises(ConfigError, match="secret"):
        load_secret(home)


def test_shared_secret_from_environment_wins(tmp_path, monkeypatch):
    key = RANDOM_KEY
    monkeypatch.setenv("AUDIT_SECRET", key)
    assert load_secret(tmp_path / "home") == bytes.fromhex(key)
    assert not (tmp_path / "home" / "secret.key").exists()


def test_shared_secret_file_and_short_keys(tmp_path, monkeypatch):
    from audit.errors import ConfigError

    (tmp_path / "team.key").write_text(RANDOM_KEY + "\n")
    (tmp_path / "team.key").chmod(0o600)
    monkeypatch.setenv("AUDIT_SECRET_FILE", str(tmp_path / "team.key"))
    assert load_secret(tmp_path / "home") == bytes.fromhex(RANDOM_KEY)
    monkeypatch.setenv("AUDIT_SECRET", "abcd")
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        load_secret(tmp_path / "home")


WEAK_KEYS = [
    ("", "is empty"),
    ("\n", "is empty"),
    ("00" * 32, "not random"),
    ("ab" * 32, "not random"),
    ("0123" * 16, "not random"),
    ("ab" * 31, "at least 32 bytes"),
    ("0123456789abcdef" * 4, r"not random \(it repeats a 8-byte pattern\)"),
    (bytes(range(1, 9)).hex() * 4 + "ff", r"not random \(it repeats a 8-byte pattern\)"),
    (bytes(range(16)).hex() * 2, r"not random \(it repeats a 16-byte pattern\)"),
    (b"correct horse battery staple 42!".hex(), "every byte is printable ASCII: a passphrase in hex"),
    ((bytes(20) + bytes(range(1, 13))).hex(), r"not random \(\d\.\d bits of entropy per byte\)"),
]


@pytest.mark.parametrize(("text", "error"), WEAK_KEYS)
@pytest.mark.parametrize("source", ["AUDIT_SECRET", "AUDIT_SECRET_FILE", "install file"])
def test_every_key_source_refuses_empty_short_and_constant_keys(tmp_path, monkeypatch, source, text, error):
    from audit.errors import ConfigError

    home = tmp_path / "home"
    if source == "AUDIT_SECRET":
        monkeypatch.setenv("AUDIT_SECRET", text)
    elif source == "AUDIT_SECRET_FILE":
        (tmp_path / "team.key").write_text(text)
        (tmp_path / "team.key").chmod(0o600)
        monkeypatch.setenv("AUDIT_SECRET_FILE", str(tmp_path / "team.key"))
    else:
        home.mkdir()
        (home / "secret.key").write_text(text)
        (home / "secret.key").chmod(0o600)
    with pytest.raises(ConfigError, match=error):
        load_secret(home)


def test_weak_key_messages_say_how_to_generate_one(monkeypatch, tmp_path):
    from audit.errors import ConfigError

    monkeypatch.setenv("AUDIT_SECRET", b"correct horse battery staple 42!".hex())
    with pytest.raises(ConfigError) as refused:
        load_secret(tmp_path / "home")
    assert str(refused.value).endswith('generate one with: python -c "import secrets; print(secrets.token_hex(32))"')


def test_random_keys_pass_every_check():
    import secrets

    from audit.fingerprint import validate_secret

    for size in (32, 33, 48, 64, 256):
        for _ in range(2000):
            validate_secret(secrets.token_bytes(size), "test")


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_shared_key_file_readable_by_others_is_refused(tmp_path, monkeypatch, mode):
    from audit.errors import ConfigError

    key = tmp_path / "team.key"
    key.write_text(RANDOM_KEY + "\n")
    key.chmod(mode)
    monkeypatch.setenv("AUDIT_SECRET_FILE", str(key))
    with pytest.raises(
        ConfigError, match=f"team.key: fingerprint secret is readable by group or others \\(mode {mode:04o}\\)"
    ):
        load_secret(tmp_path / "home")
    key.chmod(0o600)
    assert load_secret(tmp_path / "home") == bytes.fromhex(RANDOM_KEY)


def test_a_missing_shared_key_file_is_a_config_error(tmp_path, monkeypatch):
    from audit.errors import ConfigError

    monkeypatch.setenv("AUDIT_SECRET_FILE", str(tmp_path / "absent.key"))
    with pytest.raises(ConfigError, match="absent.key: cannot read fingerprint secret: No such file"):
        load_secret(tmp_path / "home")


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_install_key_readable_by_others_is_refused(tmp_path, mode):
    from audit.errors import ConfigError

    home = tmp_path / "home"
    load_secret(home)
    (home / "secret.key").chmod(mode)
    with pytest.raises(ConfigError, match=f"mode {mode:04o}.*chmod 600"):
        load_secret(home)
    (home / "secret.key").chmod(0o600)
    assert len(load_secret(home)) == 32


def test_weak_key_is_a_usage_error_on_the_cli(tmp_path, monkeypatch):
    from tests.conftest import invoke

    (tmp_path / "log.txt").write_text("hello\n")
    monkeypatch.setenv("AUDIT_SECRET", "")
    code, _, err = invoke("scan", str(tmp_path / "log.txt"), "--no-registry", "--no-cache")
    assert (code, err) == (2, "audit: error: AUDIT_SECRET: fingerprint secret is empty (is the CI secret missing?)\n")
