"""Where the data files shipped with the package live.

Packaging note: `audit/policies` is a symlink to the repository's top-level
`policies/` (commit 39b623e), and pyproject's package-data ships
`policies/*.yaml` inside the wheel. So `audit/policies` resolves to the
checkout's `policies/` in a checkout or editable install, and to the wheel's
copy once installed. Verified for the editable install; the wheel path is
covered by installing the built wheel in CI (style.md) - if a build backend
ever stops following the symlink, this function is the one place to change.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def policies_dir() -> Path:
    """The built-in policy packs directory (checkout `policies/`, else the wheel's `audit/policies`)."""
    checkout = _PACKAGE_DIR.parent / "policies"
    if (_PACKAGE_DIR.parent / "pyproject.toml").is_file() and checkout.is_dir():
        return checkout
    return _PACKAGE_DIR / "policies"
