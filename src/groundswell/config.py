"""The workspace config, ``groundswell.toml``: human-edited, validated on load.

Every validation error names the file, the line and the dotted field, e.g.
``groundswell.toml:14: campaigns[1].start: Input should be a valid date``.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable
from datetime import date, time
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from groundswell.errors import ConfigError

CONFIG_FILENAME = "groundswell.toml"
PLATFORMS = ("twitter", "mastodon", "bluesky", "other")
DEFAULT_REPLY_WINDOW_HOURS = 24.0
DEFAULT_RESPONSE_TARGET_HOURS = 1.0
DEFAULT_AUTOMATION_PATTERNS = (
    r"(?i)\bauto(matic|mated)?[- ]?reply\b",
    r"(?i)\bthis is an automated (message|response)\b",
    r"(?i)\bout of (the )?office\b",
    r"(?i)\baway message\b",
)


def normalize_handle(handle: str) -> str:
    """Handles compare case-insensitively and without a leading ``@``."""
    return handle.strip().lstrip("@").lower()


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BrandAccount(_Model):
    platform: Literal["twitter", "mastodon", "bluesky", "other"]
    handle: str = Field(min_length=1)
    name: str | None = None


class Peer(_Model):
    """Another brand in the data (a competitor, or another company in a shared export), by its accounts."""

    name: str = Field(min_length=1)
    platform: Literal["twitter", "mastodon", "bluesky", "other"] = "twitter"
    handles: tuple[str, ...] = Field(min_length=1)
    stores: float | None = Field(default=None, gt=0)  # its stores, for its fans per store beside the brand's


class Campaign(_Model):
    name: str = Field(min_length=1)
    hashtags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None

    @field_validator("hashtags")
    @classmethod
    def _hashtags_start_with_hash(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(tag if tag.startswith("#") else f"#{tag}" for tag in value)

    @model_validator(mode="after")
    def _dates_in_order(self) -> Campaign:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if not (self.hashtags or self.keywords or self.links):
            raise ValueError("a campaign needs at least one of hashtags, keywords or links")
        return self


class Location(_Model):
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    denominators: dict[str, float] = Field(default_factory=dict)


class Kpi(_Model):
    metric: str = Field(min_length=1)
    target: float
    direction: Literal["at_least", "at_most"] = "at_least"


class Goal(_Model):
    name: str = Field(min_length=1)
    kpis: tuple[Kpi, ...] = Field(min_length=1)


class BusinessHours(_Model):
    timezone: str = "UTC"
    days: tuple[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], ...] = ("mon", "tue", "wed", "thu", "fri")
    start: time = time(9, 0)
    end: time = time(17, 0)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _end_after_start(self) -> BusinessHours:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class Response(_Model):
    window_hours: float = Field(default=DEFAULT_REPLY_WINDOW_HOURS, gt=0)
    target_hours: float = Field(default=DEFAULT_RESPONSE_TARGET_HOURS, gt=0)
    automation_patterns: tuple[str, ...] = DEFAULT_AUTOMATION_PATTERNS

    @field_validator("automation_patterns")
    @classmethod
    def _patterns_compile(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from exc
        return value


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$")
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def duration_seconds(text: str) -> float:
    """``"30s"``, ``"5m"``, ``"1.5h"``, ``"1d"`` as seconds; ``ValueError`` for anything else."""
    match = _DURATION.match(text)
    if match is None or float(match.group(1)) <= 0:
        raise ValueError(f'{text!r} is not a duration such as "30s", "5m", "1h" or "1d"')
    return float(match.group(1)) * _DURATION_UNITS[match.group(2)]


def env_references(text: str) -> list[str]:
    """The ``${NAME}`` environment variables ``text`` refers to."""
    return _ENV_REFERENCE.findall(text)


def resolve_env(text: str, environ: dict[str, str]) -> str:
    """``text`` with each ``${NAME}`` replaced from ``environ``; ``KeyError`` naming the first one unset."""
    missing = [name for name in env_references(text) if name not in environ]
    if missing:
        raise KeyError(missing[0])
    return _ENV_REFERENCE.sub(lambda m: environ[m.group(1)], text)


class Watch(_Model):
    """``[watch]``: how often the watch loop runs a cycle."""

    interval: str = "5m"

    @field_validator("interval")
    @classmethod
    def _is_duration(cls, value: str) -> str:
        duration_seconds(value)
        return value

    @property
    def interval_s(self) -> float:
        return duration_seconds(self.interval)


class Alerts(_Model):
    """``[alerts]``: where alerts go (apprise URLs, secrets as ``${ENV}`` references) and the quiet period
    before an alert that ended is raised again."""

    notify: tuple[str, ...] = ()
    quiet: str = "1h"

    @field_validator("quiet")
    @classmethod
    def _is_duration(cls, value: str) -> str:
        duration_seconds(value)
        return value

    @field_validator("notify")
    @classmethod
    def _urls(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for url in value:
            if "://" not in url:
                raise ValueError(f"{url!r} is not a notification URL (scheme://...)")
        return value

    @property
    def quiet_s(self) -> float:
        return duration_seconds(self.quiet)


def _whole_seconds_dividing_an_hour(text: str) -> str:
    seconds = duration_seconds(text)
    if seconds != int(seconds) or 3600 % int(seconds):
        raise ValueError(f"{text!r} does not divide an hour into whole seconds (1s, 10s, 1m, 5m, 15m, 1h...)")
    return text


class Spikes(_Model):
    """``[spikes]``: the spike rule's settings (docs/spikes.md); each one left out takes the rule's default.

    ``bin``: the counts' bin, a duration that divides an hour (default: the watch interval, rounded down to
    one that does); ``windows``: the spans of latest posts tested against the baseline."""

    bin: str | None = None
    history_days: int | None = Field(default=None, ge=7)
    windows: tuple[str, ...] | None = Field(default=None, min_length=1)
    min_posts: int | None = Field(default=None, ge=1)
    min_ratio: float | None = Field(default=None, ge=1)
    alpha: float | None = Field(default=None, gt=0, lt=1)

    @field_validator("bin")
    @classmethod
    def _bin_divides_an_hour(cls, value: str | None) -> str | None:
        return None if value is None else _whole_seconds_dividing_an_hour(value)

    @field_validator("windows")
    @classmethod
    def _windows_are_durations(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for each in value or ():
            duration_seconds(each)
        return value

    @property
    def bin_s(self) -> int | None:
        return None if self.bin is None else int(duration_seconds(self.bin))

    @property
    def windows_s(self) -> tuple[int, ...] | None:
        return None if self.windows is None else tuple(int(duration_seconds(w)) for w in self.windows)


class ScorecardComponent(_Model):
    """Overrides for one scorecard component: its weight, and the raw values that score 0 (bad) and 100 (good)."""

    weight: float | None = Field(default=None, ge=0)
    bad: float | None = None
    good: float | None = None

    @model_validator(mode="after")
    def _bad_is_not_good(self) -> ScorecardComponent:
        if self.bad is not None and self.good is not None and self.bad == self.good:
            raise ValueError("bad and good must differ (the score runs from bad to good)")
        return self


class Scorecard(_Model):
    """``[scorecard]``: where an index counts as high, and per-component overrides by component name."""

    high: float = Field(default=50.0, ge=0, le=100)
    components: dict[str, ScorecardComponent] = Field(default_factory=dict)


OUTCOME_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class OutcomeSpec(_Model):
    """``[[outcomes]]``: a business outcome the brand imports (``groundswell outcomes import``).

    ``direction``: whether more is better (sales) or worse (churn). ``aggregation``: how values of shorter
    periods add up to a longer one (sum for sales, mean for NPS, last for a share price)."""

    name: str = Field(min_length=1)
    unit: str = ""
    direction: Literal["higher_is_better", "lower_is_better"] = "higher_is_better"
    aggregation: Literal["sum", "mean", "last"] = "sum"

    @field_validator("name")
    @classmethod
    def _name_is_a_word(cls, value: str) -> str:
        if not OUTCOME_NAME.match(value):
            raise ValueError(f"{value!r} is not an outcome name: lower-case letters, digits and _ (e.g. sales)")
        return value


EngineKind = Literal["workspace", "spark"]
ENGINE_KINDS: tuple[str, ...] = get_args(EngineKind)


class Engine(_Model):
    """``[engine]``: where figures are computed. ``workspace`` (the default): the workspace's own store, its
    DuckDB file or PostgreSQL database. ``spark``: Apache Spark at ``master`` (``local[N]`` or
    ``spark://host:7077``), over Parquet copies of the workspace's tables in ``warehouse`` (a folder every
    Spark executor can read and write; relative to the workspace folder). ``driver_memory``,
    ``executor_memory``: Spark's (an executor runs on a cluster's worker; ``local[N]`` runs in the driver).
    ``import_part_mb``: an import on Spark cuts a JSON Lines or CSV file into parts of about this size, each
    parsed by a task of its own."""

    kind: EngineKind = "workspace"
    master: str = Field(default="local[*]", min_length=1)
    warehouse: str = Field(default="warehouse", min_length=1)
    driver_memory: str = Field(default="2g", pattern=r"^\d+[kmgt]?$")
    executor_memory: str = Field(default="1g", pattern=r"^\d+[kmgt]?$")
    shuffle_partitions: int = Field(default=8, ge=1)
    import_part_mb: float = Field(default=64, gt=0)


class TeamMember(_Model):
    name: str = Field(min_length=1)
    email: str | None = None
    role: Literal["viewer", "agent", "admin"] = "agent"


class CsvMapping(_Model):
    """Canonical post field -> column name in a user's CSV or Parquet file."""

    columns: dict[str, str] = Field(default_factory=dict)
    platform: str | None = None
    timestamp_format: str | None = None


class WorkspaceConfig(_Model):
    brand: str = "My brand"
    accounts: tuple[BrandAccount, ...] = ()
    peers: tuple[Peer, ...] = ()
    campaigns: tuple[Campaign, ...] = ()
    locations: tuple[Location, ...] = ()
    denominators: dict[str, float] = Field(default_factory=dict)
    goals: tuple[Goal, ...] = ()
    response: Response = Response()
    business_hours: BusinessHours | None = None
    scorecard: Scorecard = Scorecard()
    team: tuple[TeamMember, ...] = ()
    csv: CsvMapping = CsvMapping()
    watch: Watch = Watch()
    alerts: Alerts = Alerts()
    spikes: Spikes = Spikes()
    outcomes: tuple[OutcomeSpec, ...] = ()
    engine: Engine = Engine()

    @field_validator("outcomes")
    @classmethod
    def _outcome_names_unique(cls, value: tuple[OutcomeSpec, ...]) -> tuple[OutcomeSpec, ...]:
        names = [spec.name for spec in value]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"outcome {repeated[0]!r} is defined more than once")
        return value

    def outcome(self, name: str) -> OutcomeSpec:
        """The ``[[outcomes]]`` entry named ``name``, else the defaults (more is better, summed)."""
        return next((spec for spec in self.outcomes if spec.name == name), OutcomeSpec(name=name))

    def brand_handles(self) -> dict[str, frozenset[str]]:
        """Normalized brand handles per platform, for telling brand posts apart."""
        handles: dict[str, set[str]] = {}
        for account in self.accounts:
            handles.setdefault(account.platform, set()).add(normalize_handle(account.handle))
        return {platform: frozenset(found) for platform, found in handles.items()}


def load_config(path: Path) -> WorkspaceConfig:
    """Read and validate ``path``; raise ``ConfigError`` naming file, line and field."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError("config file not found", path=path) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not valid UTF-8 ({exc.reason} at byte {exc.start})", path=path) from exc
    return parse_config(text, path=path)


def parse_config(text: str, *, path: Path | str = CONFIG_FILENAME) -> WorkspaceConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line_match = re.search(r"at line (\d+)", str(exc))
        raise ConfigError(
            f"not valid TOML: {exc}", path=path, line=int(line_match.group(1)) if line_match else None
        ) from exc
    try:
        return WorkspaceConfig.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # a misspelt key also leaves its right name missing: the unknown key is the one to name
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc = tuple(first["loc"])
        message = _unknown_key(loc) if first["type"] == "extra_forbidden" else first["msg"]
        raise ConfigError(message, path=path, line=_locate(text, loc), field=_dotted(loc) or "(top level)") from exc


def _unknown_key(loc: tuple[Any, ...]) -> str:
    """Why a key is refused, with the nearest key that would be accepted there (a typo is the usual cause)."""
    key = str(loc[-1])
    known = _known_keys(loc[:-1])
    near = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if near:
        return f"unknown key {key!r}; did you mean {near[0]!r}?"
    return f"unknown key {key!r}; the keys here are: {', '.join(known)}"


def _known_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys the config's model accepts at ``loc`` (list indexes and a dict's own keys skipped)."""
    model: type[BaseModel] = WorkspaceConfig
    parts = [part for part in loc if isinstance(part, str)]
    while parts:
        field = model.model_fields.get(parts.pop(0))
        inner = _inner_model(field.annotation) if field is not None else None
        if inner is None:
            return []
        model, keyed = inner
        if keyed and parts:
            parts.pop(0)  # a name of the dict's (``[scorecard.components.help_rate]``), not a field
    return sorted(model.model_fields)


def _inner_model(annotation: Any) -> tuple[type[BaseModel], bool] | None:
    """The model a field holds, directly, in a tuple or optional, or as a dict's values (then True)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    args = get_args(annotation)
    keyed = get_origin(annotation) is dict
    for arg in args[1:] if keyed else args:
        found = _inner_model(arg)
        if found is not None:
            return found[0], keyed or found[1]
    return None


def regex_fields(config: WorkspaceConfig) -> list[tuple[tuple[str | int, ...], str]]:
    """Every regular expression the config holds, with where it is (``("response", "automation_patterns", 0)``):
    what runs in the database's own regex engine."""
    return [(("response", "automation_patterns", i), p) for i, p in enumerate(config.response.automation_patterns)]


def check_regexes(
    config: WorkspaceConfig, text: str, refusal: Callable[[str], str | None], *, path: Path | str = CONFIG_FILENAME
) -> None:
    """``ConfigError`` naming the line and field of the first pattern ``refusal`` (the database engine) refuses;
    ``text`` is the config's text, for the line."""
    for loc, pattern in regex_fields(config):
        reason = refusal(pattern)
        if reason is not None:
            raise ConfigError(
                f"pattern {pattern!r} is not one the database's regular expressions accept: {reason}",
                path=path, line=_locate(text, loc), field=_dotted(loc),
            )  # fmt: skip


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]*\")\s*=")


def _locate(text: str, loc: tuple[Any, ...]) -> int | None:
    """Best line for a pydantic error location in a TOML document.

    Each line gets a path: its table header's names (an ``[[array]]`` table with
    the index of its latest occurrence) plus the key it sets. The line whose path
    is the longest prefix of ``loc`` wins, so an error on a missing key points at
    its table and one on a bad value points at the key.
    """
    wanted = [part for part in loc if isinstance(part, (str, int))]
    table: list[str | int] = []
    array_counts: dict[str, int] = {}
    best_line, best_len = None, 0
    for number, raw in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(raw)
        if header:
            names = [n.strip().strip("\"'") for n in header.group(2).split(".")]
            table = []
            for depth, name in enumerate(names):
                table.append(name)
                dotted = ".".join(names[: depth + 1])
                if depth == len(names) - 1 and header.group(1) == "[[":
                    array_counts[dotted] = array_counts.get(dotted, -1) + 1
                    # a new parent element restarts the numbering of its sub-arrays
                    for nested in [k for k in array_counts if k.startswith(dotted + ".")]:
                        del array_counts[nested]
                if dotted in array_counts:
                    table.append(array_counts[dotted])
            path: list[str | int] = table
        else:
            key = _KEY.match(raw)
            if not key:
                continue
            path = [*table, key.group(1).strip('"')]
        if len(path) > best_len and wanted[: len(path)] == path:
            best_line, best_len = number, len(path)
        elif best_line is None and path[: len(wanted)] == wanted:
            best_line = number  # an unknown table: its first ``[[name]]`` header, whatever its index
    return best_line


DEFAULT_CONFIG_TEXT = """\
# groundswell workspace config. Edit it, then re-run the commands that use it.
# Every section is optional; the comments show what each one does.

# The brand this workspace is about.
brand = "My brand"

# The brand's own accounts, per platform. Posts by these accounts count as brand
# posts; everything else is a customer or another account. In data holding other
# brands' accounts too (TWCS, a shared export), these decide who the brand is: the
# others become its peers, and the figures cover this brand's conversations only.
# [[accounts]]
# platform = "twitter"        # twitter, mastodon, bluesky or other
# handle = "MyBrandHelp"
# [[accounts]]
# platform = "mastodon"
# handle = "mybrand@mastodon.social"   # Mastodon handles always with their server

# Other brands in the same data (peers), by their accounts. Without this, the data's other
# brand accounts are grouped by name: AppleSupport and AskApple are both "Apple".
# [[peers]]
# name = "Amazon"
# platform = "twitter"
# handles = ["AmazonHelp", "AmazonUK"]

# Campaigns: a post matches a campaign by hashtag, keyword or link, within the dates.
# [[campaigns]]
# name = "Summer contest"
# hashtags = ["#SummerWithMyBrand"]
# keywords = ["summer contest"]
# links = ["mybrand.example/summer"]
# start = 2026-06-01
# end = 2026-06-30

# Locations (stores, branches) and what to divide by (per-denominator figures).
# [[locations]]
# name = "Leeds Briggate"
# aliases = ["leeds store", "briggate"]
# denominators = { orders = 120000, employees = 45 }

# Business-wide denominators.
# [denominators]
# stores = 120
# employees = 3400

# Business goals, each with KPIs and targets.
# [[goals]]
# name = "Answer the people who need us"
# [[goals.kpis]]
# metric = "response_rate"
# target = 0.9
# direction = "at_least"      # or "at_most"

# Response: reply window, target first-response time, what counts as an automated reply.
[response]
window_hours = 24
target_hours = 1
# automation_patterns = ["(?i)auto-?reply"]

# Business hours, for response times in business hours.
# [business_hours]
# timezone = "Europe/London"
# days = ["mon", "tue", "wed", "thu", "fri"]
# start = "09:00"
# end = "17:00"

# The team that answers customers.
# [[team]]
# name = "Sam"
# role = "agent"              # viewer, agent or admin

# The watch loop (`groundswell watch`): how often it syncs, enriches and checks the alert rules.
# [watch]
# interval = "5m"             # 30s, 5m, 1h...

# Where alerts go: apprise URLs (email, Slack, Matrix, ntfy, webhooks). Write secrets as ${ENV}
# references: they are read from the environment when an alert is sent, never stored.
# [alerts]
# notify = ["mailtos://${SMTP_USER}:${SMTP_PASSWORD}@mail.example.com?to=team@example.com"]
# quiet = "1h"                # an alert that ended is not raised again before this

# The spike alerts' settings (docs/spikes.md); the defaults suit a 5-minute watch.
# [spikes]
# bin = "5m"                  # the counts' bin; default the watch interval (a duration dividing an hour)
# history_days = 28           # the baseline's days (at least 7)
# windows = ["5m", "10m", "15m", "30m", "1h", "2h", "3h"]
# min_posts = 10
# min_ratio = 3
# alpha = 1e-7

# Business outcomes imported with `groundswell outcomes import FILE` (sales, visits, NPS, share price...).
# [[outcomes]]
# name = "sales"
# unit = "GBP"
# direction = "higher_is_better"   # or "lower_is_better" (churn, complaints)
# aggregation = "sum"              # how days add up to weeks: sum, mean or last (a share price)

# Where figures are computed (docs/scale.md): the workspace's own store, or Apache Spark (the spark extra
# and Java 17) over Parquet copies of the workspace's tables; `--engine` on a command overrides `kind`.
# [engine]
# kind = "spark"
# master = "local[*]"          # or "spark://host:7077"
# warehouse = "warehouse"      # a folder every Spark executor can read
# driver_memory = "2g"

# Column mapping for `groundswell import --format csv` (canonical field = your column).
# [csv]
# platform = "twitter"
# columns = { post_id = "id", author_id = "user", created_at = "time", text = "body" }
"""
