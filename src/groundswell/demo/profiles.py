"""How a demo brand behaves (``BrandProfile``), and the three profiles ``groundswell demo --profile`` offers."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from groundswell.demo.text import DEFAULT_BRAND
from groundswell.errors import UsageError


@dataclass(frozen=True, slots=True)
class BrandProfile:
    """How a brand behaves. Rates are probabilities per opportunity, not outcomes."""

    name: str = "default"
    brand: str = DEFAULT_BRAND
    reply_rate: float = 0.6  # chance a post that needs a reply gets a human brand reply
    median_response_minutes: float = 90.0  # median human reply delay inside business hours
    response_spread: float = 1.2  # log-normal sigma of that delay
    help_rate: float = 0.55  # chance a brand reply actually solves the problem
    auto_reply_rate: float = 0.08  # chance a needing post first gets an automated reply
    double_reply_rate: float = 0.12  # chance the agent adds a second reply straight after
    praise_reply_rate: float = 0.2  # chance praise / good experiences get a thank-you
    buzz_reply_rate: float = 0.1  # chance campaign chatter gets a brand reply
    broadcast_share: float = 0.06  # share of everyday conversations the brand starts as broadcasts
    campaign_intensity: float = 1.0  # how much buzz the campaigns generate (1 = typical)
    experience_quality: float = 0.6  # chance a store visit goes well
    peer_reply_rate: float = 0.1  # chance another customer chips in under a problem
    chase_rate: float = 0.35  # chance an ignored customer chases
    vip_bias: float = 0.15  # extra reply chance (and speed) for well-followed customers
    brand_followers: int = 40_000  # main account's audience at the start
    follower_growth: float = 0.15  # audience growth over the period
    viral_spike: float = 5.0  # the organic spike's height, in ordinary days
    viral_story: str = "kindness"  # "kindness" (a store worker) or "failure" (a product)
    outage: float = 0.0  # an afternoon's checkout outage, in ordinary days of complaints (0: none, the default)
    stores: int = 40
    id_prefix: int | None = None  # post ids start at id_prefix * 10**12 (default: from the brand)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.endswith(("_rate", "_share", "_quality", "_bias")) and not 0.0 <= value <= 1.0:
                raise UsageError(f"BrandProfile.{f.name} must be between 0 and 1, not {value!r}")
        if self.median_response_minutes <= 0 or self.response_spread < 0 or self.campaign_intensity < 0:
            raise UsageError("BrandProfile: response delay must be positive and spreads/intensities non-negative")
        if self.viral_story not in ("kindness", "failure"):
            raise UsageError(f"BrandProfile.viral_story must be 'kindness' or 'failure', not {self.viral_story!r}")
        if self.stores < 1 or self.brand_followers < 0 or self.viral_spike < 0 or self.outage < 0:
            raise UsageError("BrandProfile: stores must be >= 1 and followers / spike / outage non-negative")

    def with_brand(self, brand: str, *, id_prefix: int | None = None) -> BrandProfile:
        return replace(self, brand=brand, id_prefix=id_prefix)


DEFAULT_PROFILE = BrandProfile()
# Answers nearly everyone, fast, and fixes things; good stores; modest marketing.
HELPFUL_PROFILE = BrandProfile(
    name="helpful", reply_rate=0.93, median_response_minutes=15.0, response_spread=0.9, help_rate=0.85,
    auto_reply_rate=0.02, double_reply_rate=0.18, praise_reply_rate=0.4, buzz_reply_rate=0.05,
    broadcast_share=0.03, campaign_intensity=0.35, experience_quality=0.8, chase_rate=0.3, vip_bias=0.0,
    brand_followers=12_000, follower_growth=0.08,
)  # fmt: skip
# Big campaigns and lots of broadcast; answers few (mostly the well-followed), slowly, rarely helps.
BUZZING_PROFILE = BrandProfile(
    name="buzzing", reply_rate=0.18, median_response_minutes=720.0, response_spread=1.3, help_rate=0.15,
    auto_reply_rate=0.4, double_reply_rate=0.04, praise_reply_rate=0.05, buzz_reply_rate=0.35,
    broadcast_share=0.2, campaign_intensity=4.5, experience_quality=0.42, chase_rate=0.45, vip_bias=0.5,
    brand_followers=250_000, follower_growth=0.6, viral_story="failure",
)  # fmt: skip
PROFILES = {p.name: p for p in (DEFAULT_PROFILE, HELPFUL_PROFILE, BUZZING_PROFILE)}
