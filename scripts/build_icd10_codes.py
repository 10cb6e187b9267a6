#!/usr/bin/env python3
"""Regenerate audit/data/icd10cm_codes.txt.gz from the simple-icd-10-cm package.

    .venv/bin/python scripts/build_icd10_codes.py

The scanner reads the code set from this file: parsing the package's XML takes
about two seconds in every worker process, reading the file about 20 ms.
tests/scanner/test_icd10_codes.py fails when the file and the package differ.
"""

from __future__ import annotations

import gzip
import sys
import warnings
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "audit" / "data" / "icd10cm_codes.txt.gz"


def codes_from_package() -> list[str]:
    """Every ICD-10-CM category and code, undotted, sorted; chapters and blocks left out."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import simple_icd_10_cm

    return sorted(c for c in simple_icd_10_cm.get_all_codes(False) if "-" not in c and not c.isdigit())


def encode(codes: list[str]) -> bytes:
    """One code a line, gzip with a fixed mtime so the file is reproducible."""
    return gzip.compress(("\n".join(codes) + "\n").encode("ascii"), compresslevel=9, mtime=0)


def main() -> int:
    codes = codes_from_package()
    OUT.write_bytes(encode(codes))
    print(f"wrote {len(codes)} codes to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
