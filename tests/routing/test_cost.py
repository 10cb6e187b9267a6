"""Cost model: break-even with the shipped defaults, compliance as a hard constraint, overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.cost import Volume, blended_price, break_even_tokens, load_pricing, recommend
from audit.errors import ConfigError
from audit.flows import load_manifest, load_taxonomy
from audit.model import Tier
from audit.routing.recommend import recommend_workload

FIXTURE = Path(__file__).parent.parent / "flows" / "fixtures" / "workloads.yaml"


def test_defaults_break_even_lands_in_the_commonly_quoted_50_to_100m_range():
    p = load_pricing()
    assert blended_price(p.closed) == pytest.approx(6.0)
    assert 50e6 <= break_even_tokens(p.closed, p.self_hosted) <= 100e6


def test_self_hosted_cost_steps_with_gpus():
    h = load_pricing().self_hosted
    assert h.gpus_for(1) == h.min_gpus == 1
    assert h.gpus_for(h.capacity_per_gpu() * 2.5) == 3
    assert h.monthly(h.capacity_per_gpu() * 2.5) == pytest.approx(3 * h.monthly(1))


def test_compliance_beats_price():
    p = load_pricing()
    cheap = Volume.from_total(1e6, 0.25)
    rec = recommend("w", cheap, Tier.SELF_HOSTED, p)
    assert rec.choice == "self_hosted" and not next(o for o in rec.options if o.name == "closed").allowed
    assert recommend("w", cheap, Tier.CLOSED_WITH_AGREEMENT, p).choice == "closed"
    assert recommend("w", Volume.from_total(500e6, 0.25), Tier.UNRESTRICTED, p).choice == "self_hosted"


def test_hybrid_when_a_minority_must_stay_self_hosted_below_break_even():
    p = load_pricing()
    rec = recommend("w", Volume.from_total(20e6, 0.25), Tier.SELF_HOSTED, p, self_hosted_share=0.1)
    assert rec.choice == "hybrid" and any("10% of requests" in r for r in rec.reasons)
    assert (
        recommend("w", Volume.from_total(20e6, 0.25), Tier.SELF_HOSTED, p, self_hosted_share=0.8).choice
        == "self_hosted"
    )


def test_manifest_workloads():
    m, t, p = load_manifest(FIXTURE), load_taxonomy(), load_pricing()
    clinical = recommend_workload(m, t, p, "clinical-notes")
    assert clinical.choice == "self_hosted" and clinical.agreements_missing == ["BAA"]
    disputes = recommend_workload(m, t, p, "card-disputes", volume_million=10)
    assert disputes.choice == "closed" and "GLBA_CONTRACT" not in disputes.agreements_missing


def test_pricing_override_merges_and_validates(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("self_hosted: {gpu_hourly_usd: 4.0, min_gpus: 2}\n")
    p = load_pricing(f)
    assert p.self_hosted.gpu_hourly_usd == 4.0 and p.closed.input_per_million == 3.0
    assert break_even_tokens(p.closed, p.self_hosted) > 1e9
    f.write_text("closed: {input_per_mllion: 1}\n")
    with pytest.raises(ConfigError, match="input_per_mllion"):
        load_pricing(f)
