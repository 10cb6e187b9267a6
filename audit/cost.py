"""Monthly cost of a workload on a closed API vs self-hosted, the break-even volume, and a recommendation.

Closed: tokens x per-million prices. Self-hosted: GPUs x hourly price x hours,
plus an ops overhead fraction, with enough GPUs for the volume at the assumed
throughput and utilisation (never fewer than min_gpus). Compliance is a hard
constraint: a workload whose data requires self_hosted is never recommended closed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from audit import safe_yaml
from audit.errors import ConfigError, plain_validation_message
from audit.model import Tier

PRICING_FILE = "pricing.yaml"


class ClosedPricing(BaseModel):
    """Per-million-token prices of a closed API."""

    model_config = ConfigDict(extra="forbid")
    input_per_million: float = Field(3.0, ge=0)
    output_per_million: float = Field(15.0, ge=0)
    output_share: float = Field(0.25, ge=0, le=1)


class SelfHostedPricing(BaseModel):
    """GPU economics of a self-hosted open model."""

    model_config = ConfigDict(extra="forbid")
    description: str = ""
    gpu_hourly_usd: float = Field(0.55, gt=0)
    tokens_per_second_per_gpu: float = Field(1200, gt=0)
    utilisation: float = Field(0.4, gt=0, le=1)
    min_gpus: int = Field(1, ge=1)
    ops_overhead: float = Field(0.15, ge=0)
    hours_per_month: float = Field(730, gt=0)

    def capacity_per_gpu(self) -> float:
        """Tokens one GPU serves per month at the assumed utilisation."""
        return self.tokens_per_second_per_gpu * self.utilisation * 3600 * self.hours_per_month

    def gpus_for(self, tokens: float) -> int:
        """GPUs needed for `tokens` a month (at least min_gpus)."""
        return max(self.min_gpus, math.ceil(tokens / self.capacity_per_gpu()) if tokens > 0 else 0)

    def monthly(self, tokens: float) -> float:
        """Monthly USD for `tokens` a month, ops overhead included."""
        return self.gpus_for(tokens) * self.gpu_hourly_usd * self.hours_per_month * (1 + self.ops_overhead)


class Pricing(BaseModel):
    """Every cost assumption (audit/data/pricing.yaml, optionally overridden)."""

    model_config = ConfigDict(extra="forbid")
    closed: ClosedPricing = ClosedPricing()
    self_hosted: SelfHostedPricing = SelfHostedPricing()
    hybrid: dict = Field(default_factory=lambda: {"max_self_hosted_share": 0.5})
    sensitivity: dict = Field(default_factory=dict)

    @property
    def max_self_hosted_share(self) -> float:
        """Hybrid routing is offered up to this share of requests that must stay self-hosted."""
        return float(self.hybrid.get("max_self_hosted_share", 0.5))


def load_pricing(override: str | Path | None = None) -> Pricing:
    """The packaged defaults, deep-merged with `override` (a YAML file with any subset of the keys)."""
    base = safe_yaml.load(resources.files("audit").joinpath("data", PRICING_FILE).read_text("utf-8")) or {}
    if override:
        try:
            extra = safe_yaml.load(Path(override).read_text("utf-8")) or {}
        except OSError as exc:
            raise ConfigError(f"{override}: cannot read pricing: {exc.strerror or exc}") from None
        except yaml.YAMLError as exc:
            raise ConfigError(safe_yaml.error_line(str(override), exc)) from None
        for key, value in extra.items():
            base[key] = {**base.get(key, {}), **value} if isinstance(value, dict) else value
    try:
        return Pricing.model_validate(base)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(
            f"{override or PRICING_FILE}: {'.'.join(map(str, first['loc']))}: {plain_validation_message(first)}"
        ) from None


@dataclass(frozen=True)
class Volume:
    """Monthly tokens of a workload."""

    input_tokens: float
    output_tokens: float

    @property
    def total(self) -> float:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens

    def scaled(self, share: float) -> Volume:
        """This volume times `share`."""
        return Volume(self.input_tokens * share, self.output_tokens * share)

    @classmethod
    def from_total(cls, total: float, output_share: float) -> Volume:
        """Split a total into input and output by `output_share`."""
        return cls(total * (1 - output_share), total * output_share)


def closed_monthly(volume: Volume, prices: ClosedPricing) -> float:
    """Monthly USD on a closed API."""
    return (volume.input_tokens * prices.input_per_million + volume.output_tokens * prices.output_per_million) / 1e6


def blended_price(prices: ClosedPricing) -> float:
    """USD per million tokens at the assumed output share."""
    return prices.input_per_million * (1 - prices.output_share) + prices.output_per_million * prices.output_share


def break_even_tokens(prices: ClosedPricing, hosted: SelfHostedPricing, limit: float = 1e13) -> float | None:
    """The smallest monthly volume at which self-hosting costs no more than the closed API (None: never)."""
    per_token = blended_price(prices) / 1e6
    if per_token <= 0:
        return None
    cap = hosted.capacity_per_gpu()
    gpus = hosted.min_gpus
    while (gpus - 1) * cap < limit:
        cost = gpus * hosted.gpu_hourly_usd * hosted.hours_per_month * (1 + hosted.ops_overhead)
        low, high = (gpus - 1) * cap if gpus > hosted.min_gpus else 0.0, gpus * cap
        volume = max(cost / per_token, low)
        if volume <= high:
            return volume
        gpus += 1
    return None


@dataclass(frozen=True)
class Option:
    """One way to run the workload, with its monthly cost and whether compliance allows it."""

    name: str  # "closed" | "self_hosted" | "hybrid"
    monthly_usd: float
    allowed: bool
    note: str = ""


@dataclass
class Recommendation:
    """The recommended option for one workload, the alternatives, and why."""

    workload: str
    volume: Volume
    floor: Tier
    choice: str
    options: list[Option]
    reasons: list[str] = field(default_factory=list)
    agreements_needed: list[str] = field(default_factory=list)
    agreements_missing: list[str] = field(default_factory=list)
    break_even: float | None = None
    self_hosted_share: float | None = None


def recommend(
    workload: str,
    volume: Volume,
    floor: Tier,
    pricing: Pricing,
    prices: ClosedPricing | None = None,
    self_hosted_share: float | None = None,
    agreements_needed: list[str] | None = None,
    agreements_missing: list[str] | None = None,
) -> Recommendation:
    """Self-hosted, closed or hybrid for one workload: the cheapest option compliance allows, with reasons."""
    prices = prices or pricing.closed
    hosted = pricing.self_hosted
    closed_ok = not floor.stricter_than(Tier.CLOSED_WITH_AGREEMENT)
    be = break_even_tokens(prices, hosted)
    options = [
        Option(
            "closed", closed_monthly(volume, prices), closed_ok, "" if closed_ok else f"data requires {floor.value}"
        ),
        Option("self_hosted", hosted.monthly(volume.total), True, f"{hosted.gpus_for(volume.total)} GPU(s)"),
    ]
    share = self_hosted_share
    if share is not None and 0 < share < 1:
        cost = hosted.monthly(volume.total * share) + closed_monthly(volume.scaled(1 - share), prices)
        options.append(Option("hybrid", cost, True, f"{share:.0%} of requests self-hosted"))
    rec = Recommendation(
        workload, volume, floor, "", options, [], agreements_needed or [], agreements_missing or [], be, share
    )
    _choose(rec, pricing)
    return rec


def _choose(rec: Recommendation, pricing: Pricing) -> None:
    by = {o.name: o for o in rec.options}
    closed, hosted = by["closed"], by["self_hosted"]
    volume_m = rec.volume.total / 1e6
    be_text = f"{rec.break_even / 1e6:,.0f}M tokens/month" if rec.break_even else "never"
    if not closed.allowed:
        rec.reasons.append(f"compliance: the data requires {rec.floor.value}, so a closed API cannot take all traffic")
        hybrid = by.get("hybrid")
        if (
            hybrid
            and rec.self_hosted_share <= pricing.max_self_hosted_share
            and rec.break_even
            and rec.volume.total < rec.break_even
        ):
            rec.choice = "hybrid"
            rec.reasons.append(
                f"only {rec.self_hosted_share:.0%} of requests carry that data: route them to the self-hosted model "
                f"and the rest to the closed API (audit.route decides per request)"
            )
            rec.reasons.append(
                f"hybrid costs ${hybrid.monthly_usd:,.0f}/month, ${hybrid.monthly_usd - hosted.monthly_usd:+,.0f} vs all "
                f"self-hosted: the price of keeping the closed model for {1 - rec.self_hosted_share:.0%} of traffic"
            )
        else:
            rec.choice = "self_hosted"
            if rec.self_hosted_share is None:
                rec.reasons.append(
                    "no per-request share known (traffic.self_hosted_share or `audit route replay`): all traffic self-hosted"
                )
            elif rec.break_even and rec.volume.total >= rec.break_even:
                rec.reasons.append(
                    f"volume {volume_m:,.0f}M tokens/month is above break-even ({be_text}): self-hosting everything is cheapest"
                )
            else:
                rec.reasons.append(
                    f"{rec.self_hosted_share:.0%} of requests must stay self-hosted: above the hybrid limit of {pricing.max_self_hosted_share:.0%}"
                )
        if rec.agreements_missing:
            rec.reasons.append(f"a closed API would become possible with: {', '.join(rec.agreements_missing)}")
        return
    if closed.monthly_usd <= hosted.monthly_usd:
        rec.choice = "closed"
        rec.reasons.append(
            f"volume {volume_m:,.1f}M tokens/month is below break-even ({be_text}): closed API is cheaper"
        )
    else:
        rec.choice = "self_hosted"
        rec.reasons.append(
            f"volume {volume_m:,.1f}M tokens/month is above break-even ({be_text}): self-hosting is cheaper"
        )
    if rec.choice == "closed" and rec.agreements_needed:
        rec.reasons.append(f"relies on the agreements on file: {', '.join(rec.agreements_needed)}")


def sensitivity(
    pricing: Pricing, prices: ClosedPricing | None = None
) -> tuple[list[float], list[tuple[float, list[float], float]]]:
    """(price factors, rows of (volume tokens, closed cost per factor, self-hosted cost)) for the sensitivity table."""
    prices = prices or pricing.closed
    factors = [float(f) for f in pricing.sensitivity.get("closed_price_factors", [0.5, 1.0, 2.0])]
    rows = []
    for v in pricing.sensitivity.get("volumes_million", [10, 50, 100, 500]):
        tokens = float(v) * 1e6
        vol = Volume.from_total(tokens, prices.output_share)
        closed = [closed_monthly(vol, _scaled(prices, f)) for f in factors]
        rows.append((tokens, closed, pricing.self_hosted.monthly(tokens)))
    return factors, rows


def _scaled(prices: ClosedPricing, factor: float) -> ClosedPricing:
    return prices.model_copy(
        update={
            "input_per_million": prices.input_per_million * factor,
            "output_per_million": prices.output_per_million * factor,
        }
    )
