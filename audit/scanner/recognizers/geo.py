"""Precise geolocation (CCPA SPI(C)) and the Safe Harbor restricted ZIP3 list.

US_ZIP_CODE detection itself lives with the general location recognizers.
"""

from __future__ import annotations

import re

from audit.scanner.recognizers.base import Rule, ValidatedRecognizer

# 45 CFR 164.514(b)(2)(i)(B): ZIP3 areas of 20,000 people or fewer (2000 Census), to be replaced by 000.
RESTRICTED_ZIP3: frozenset[str] = frozenset(
    {
        "036",
        "059",
        "063",
        "102",
        "203",
        "556",
        "692",
        "790",
        "821",
        "823",
        "830",
        "831",
        "878",
        "879",
        "884",
        "890",
        "893",
    }
)


def safe_harbor_zip3(zip_code: str) -> str:
    """The ZIP3 Safe Harbor lets stay: the first three digits, or '000' for a restricted area."""
    zip3 = re.sub(r"\D", "", zip_code)[:3]
    return "000" if zip3 in RESTRICTED_ZIP3 else zip3


_NUM = r"[-+−]?\d{1,3}\.\d{4,12}"


class GeoCoordinatesRecognizer(ValidatedRecognizer):
    """GEO_COORDINATES: a latitude/longitude pair with 4+ decimals each (about 11 m), both in range."""

    ENTITY = "GEO_COORDINATES"
    RULES = (
        Rule(
            "decimal-pair",
            rf"(?<![\d.])(?P<value>{_NUM}\s{{0,2}}°?\s{{0,2}}[NS]?\s{{0,2}},\s{{0,3}}{_NUM}\s{{0,2}}°?\s{{0,2}}[EW]?)(?!\d|\.\d)",
            0.75,
            0.9,
        ),
    )
    CONTEXT = ("lat", "latitude", "long", "longitude", "lng", "coordinates", "gps", "location", "geo")

    def validate(self, value: str) -> bool:
        """|lat| <= 90 and |lon| <= 180, and not both zero."""
        nums = [float(n.replace("−", "-")) for n in re.findall(r"[-+−]?\d{1,3}\.\d+", value)]
        return len(nums) == 2 and abs(nums[0]) <= 90 and abs(nums[1]) <= 180 and any(nums)


RECOGNIZERS = [GeoCoordinatesRecognizer]
