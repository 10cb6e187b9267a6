"""Data categories (fideslang keys) and what each requires before it may reach an endpoint.

Loaded from `audit/data/fides_categories.yaml`: the fideslang taxonomy subset,
our extensions, the requirement overlay and the entity -> category map.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from audit import safe_yaml
from audit.errors import ConfigError
from audit.model import Tier

DATA_FILE = "fides_categories.yaml"


@dataclass(frozen=True)
class Requirement:
    """What data of one category needs: agreements for a closed API, else a stricter tier."""

    category: str  # the key the requirement was declared on (may be an ancestor)
    strip: bool = False
    closed_requires: frozenset[str] = frozenset()
    otherwise: Tier = Tier.UNRESTRICTED
    redactable: bool = True
    regulations: tuple[str, ...] = ()
    citation: str = ""

    @property
    def strictest(self) -> Tier:
        """The tier this category needs when no agreement and no redaction helps."""
        return Tier.STRIP if self.strip else self.otherwise


UNRESTRICTED = Requirement(category="")


@dataclass(frozen=True)
class Taxonomy:
    """Known category keys, their requirements and the scanner entity map."""

    names: dict[str, str]
    extensions: frozenset[str]
    requirements: dict[str, Requirement]
    entities: dict[str, str]

    def known(self, key: str) -> bool:
        """True for a fideslang key or one of our extensions."""
        return key in self.names

    def requirement(self, key: str) -> Requirement:
        """The requirement of `key` or of its nearest ancestor; unrestricted for non-user data."""
        for candidate in ancestry(key):
            if candidate in self.requirements:
                return self.requirements[candidate]
        return UNRESTRICTED

    def category_of(self, entity_type: str) -> str | None:
        """The category an entity type belongs to, or None when it is not mapped."""
        return self.entities.get(entity_type)


def ancestry(key: str) -> list[str]:
    """`key` and its ancestors, nearest first: a.b.c -> [a.b.c, a.b, a]."""
    parts = key.split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


def related(declared: str, observed: str) -> bool:
    """True when one key is the other or an ancestor of it (same branch of the taxonomy)."""
    return declared == observed or observed.startswith(declared + ".") or declared.startswith(observed + ".")


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """The packaged taxonomy, or the one at `path`; raises ConfigError on a broken file."""
    try:
        text = (
            Path(path).read_text("utf-8")
            if path
            else resources.files("audit").joinpath("data", DATA_FILE).read_text("utf-8")
        )
        data = safe_yaml.load(text) or {}
    except OSError as exc:
        raise ConfigError(f"{path or DATA_FILE}: cannot read data categories: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(safe_yaml.error_line(str(path or DATA_FILE), exc)) from None
    names = {k: v["name"] for k, v in {**data.get("taxonomy", {}), **data.get("extensions", {})}.items()}
    requirements = {k: _requirement(k, v) for k, v in (data.get("requirements") or {}).items()}
    entities = dict(data.get("entities") or {})
    unknown = sorted(k for k in [*requirements, *entities.values()] if k not in names)
    if unknown:
        raise ConfigError(f"{path or DATA_FILE}: unknown categories: {', '.join(unknown)}")
    return Taxonomy(names, frozenset(data.get("extensions", {})), requirements, entities)


def _requirement(key: str, raw: dict) -> Requirement:
    try:
        return Requirement(
            category=key,
            strip=bool(raw.get("strip", False)),
            closed_requires=frozenset(raw.get("closed_requires", ())),
            otherwise=Tier(raw.get("otherwise", "unrestricted")),
            redactable=bool(raw.get("redactable", True)),
            regulations=tuple(raw.get("regulations", ())),
            citation=str(raw.get("citation", "")),
        )
    except (ValueError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{DATA_FILE}: requirements.{key}: {exc}") from None
