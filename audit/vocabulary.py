"""The deployment vocabularies that manifests, the registry and policy packs share.

StrEnum on purpose: a member is its string, so YAML values, the registry's rows
and JSON output stay the same strings, and an f-string prints the value.
"""

from __future__ import annotations

from enum import StrEnum


class Hosting(StrEnum):
    """Where an endpoint runs."""

    SELF_HOSTED = "self_hosted"
    CLOSED_API = "closed_api"


class HipaaEntity(StrEnum):
    """A workload's role under HIPAA."""

    COVERED_ENTITY = "covered_entity"
    BUSINESS_ASSOCIATE = "business_associate"
    NONE = "none"


class Agreement(StrEnum):
    """An agreement an endpoint (or the data subjects) may hold; `description` says which instrument."""

    BAA = "BAA"
    QSOA = "QSOA"
    PART2_CONSENT = "PART2_CONSENT"
    DPA = "DPA"
    GLBA_CONTRACT = "GLBA_CONTRACT"
    PCI_AOC = "PCI_AOC"
    CLIENT_CONSENT = "CLIENT_CONSENT"
    ORDER_PERMITS = "ORDER_PERMITS"
    CCPA_CONTRACT = "CCPA_CONTRACT"
    BIOMETRIC_RELEASE = "BIOMETRIC_RELEASE"
    ZDR = "ZDR"
    NO_TRAINING = "NO_TRAINING"

    @property
    def description(self) -> str:
        """What the agreement is, with its citation."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    Agreement.BAA: "HIPAA business associate agreement covering the endpoint (45 CFR 164.502(e), 164.504(e))",
    Agreement.QSOA: "42 CFR Part 2 qualified service organization agreement (2.11, 2.12(c)(4))",
    Agreement.PART2_CONSENT: "patient consent for Part 2 disclosures (42 CFR 2.31)",
    Agreement.DPA: "GDPR Art. 28 processing agreement including a Chapter V transfer mechanism (SCCs or DPF)",
    Agreement.GLBA_CONTRACT: "GLBA service-provider contract (12 CFR 1016.13 / 16 CFR 313.13) and 314.4(f) oversight",
    Agreement.PCI_AOC: "PCI DSS TPSP written agreement (12.8.2) with an AOC covering the service",
    Agreement.CLIENT_CONSENT: "informed client consent for the tool (ABA Formal Op. 512)",
    Agreement.ORDER_PERMITS: "the protective or sealing order permits the tool",
    Agreement.CCPA_CONTRACT: "CCPA service-provider contract (1798.100(d), 11 CCR 7051)",
    Agreement.BIOMETRIC_RELEASE: "written release covering the vendor (740 ILCS 14/15(b), (d))",
    Agreement.ZDR: "zero data retention on the endpoint",
    Agreement.NO_TRAINING: "vendor does not train on inputs",
}
