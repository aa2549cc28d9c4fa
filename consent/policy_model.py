"""A loaded consent policy: frozen dataclasses the evaluator reads (built by `policy_loader`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from consent.durations import Duration


@dataclass(frozen=True)
class Evaluation:
    """How records are folded: strategy, tie-break, skew window, scopes and contact-point keying."""

    strategy: str = "ordered_log"
    tie_break: str = "restrictive"
    clock_skew: Duration | None = None
    scopes: frozenset[str] = frozenset({"person", "channel", "contact_point"})
    contact_point_keying: str = "global"
    phone_default_region: str = "US"
    source_rank: tuple[str, ...] = ()
    status_priority: tuple[str, ...] = ("objection", "opt_out", "pending", "opt_in")


@dataclass(frozen=True)
class Block:
    """An absolute block: a suppression list that denies before anything else (no opt-in overrides it)."""

    lists: frozenset[str]
    channels: frozenset[str] | None  # None: every channel
    purposes: tuple[str, ...] | None  # None: every purpose, transactional included


@dataclass(frozen=True)
class OptInSpec:
    """What makes an opt-in count: evidence, re-consent methods after an opt-out, pending statuses."""

    evidence_required: bool = True
    evidence_fields: tuple[str, ...] = ("capture_source",)
    reconsent_methods: frozenset[str] = frozenset()
    pending_statuses: frozenset[str] = frozenset({"pending"})
    sources: frozenset[str] | None = None  # None: any source may grant


@dataclass(frozen=True)
class PurposeSpec:
    """One purpose in the hierarchy."""

    name: str
    parent: str | None
    requires_consent: bool = True
    signals: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ChannelSpec:
    """A channel: which contact point it uses, who may grant opt-ins, internal do-not-contact keying."""

    name: str
    contact_point_kind: str  # email | phone | postal | any
    opt_in_sources: frozenset[str] | None = None
    internal_dnc: str | None = None  # keyed_by_phone | keyed_by_customer | None (no internal list)
    purposes: tuple[str, ...] = ()  # purposes whose decisions are kept in the unified table


@dataclass(frozen=True)
class SoftOptIn:
    """UK PECR soft opt-in: a purchase where refusal was offered, for the listed purposes."""

    requires: str
    purposes: frozenset[str]


@dataclass(frozen=True)
class DncSpec:
    """National registry scrub for a channel, with its safe-harbour age and exemptions."""

    registry: str
    max_snapshot_age: Duration
    pewc_opt_in: bool = True
    ebr: dict[str, Duration] = field(default_factory=dict)  # relationship kind -> window


@dataclass(frozen=True)
class GpcSpec:
    """Global Privacy Control: where it is honoured and what may override it."""

    honor_in: tuple[str, ...]
    overridable_by: str | None = None


@dataclass(frozen=True)
class Rule:
    """The rule for one `channel.purpose` in one jurisdiction entry."""

    key: str
    model: str  # opt_in | opt_out
    soft_opt_in: SoftOptIn | None = None
    implied: dict[str, Duration] = field(default_factory=dict)
    dnc: DncSpec | None = None
    gpc: GpcSpec | None = None


@dataclass(frozen=True)
class JurisdictionEntry:
    """One `jurisdictions` entry: the codes it matches (regions expanded) and its rules."""

    index: int
    label: str
    codes: tuple[str, ...]
    rules: dict[str, Rule]


def code_matches(code: str, jurisdiction: str) -> bool:
    """`US-*` and `US` match `US` and every `US-xx`; `US-CA` matches only itself and its subdivisions."""
    base = code[:-2] if code.endswith("-*") else code
    return jurisdiction == base or jurisdiction.startswith(base + "-")


@dataclass(frozen=True)
class Policy:
    """A validated policy document; `version` is its name (e.g. reference-v1)."""

    version: str
    description: str
    evaluation: Evaluation
    absolute_blocks: tuple[Block, ...]
    opt_out_statuses: frozenset[str]
    opt_in: OptInSpec
    purposes: dict[str, PurposeSpec]
    channels: dict[str, ChannelSpec]
    jurisdictions: tuple[JurisdictionEntry, ...]
    suppression_lists: frozenset[str]
    checksum: str = ""
    regions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # named groups of codes, e.g. EU_EEA

    @cached_property
    def _memo(self) -> dict:
        # Lookups repeated for every decision of every customer; the policy never changes once loaded.
        return {}

    def _cached(self, key: tuple, compute):
        memo = self._memo
        if key not in memo:
            memo[key] = compute()
        return memo[key]

    def ancestors(self, purpose: str) -> tuple[str, ...]:
        """The purpose and its ancestors, root first (every one is a slot, AND-ed)."""
        return self._cached(("ancestors", purpose), lambda: self._ancestors(purpose))

    def _ancestors(self, purpose: str) -> tuple[str, ...]:
        chain: list[str] = []
        current: str | None = purpose
        while current is not None:
            chain.append(current)
            current = self.purposes[current].parent
        return tuple(reversed(chain))

    def requires_consent(self, purpose: str) -> bool:
        """False when the purpose or an ancestor is declared `requires_consent: false`."""
        return self._cached(
            ("requires", purpose),
            lambda: all(self.purposes[p].requires_consent for p in self.ancestors(purpose)),
        )

    def signals_for(self, purpose: str) -> frozenset[str]:
        """Signals declared on the purpose or its ancestors."""
        return self._cached(
            ("signals", purpose),
            lambda: frozenset(s for p in self.ancestors(purpose) for s in self.purposes[p].signals),
        )

    def entry_for(self, jurisdiction: str | None) -> JurisdictionEntry | None:
        """The first jurisdiction entry matching, or None."""
        if not jurisdiction:
            return None
        return self._cached(("entry", jurisdiction), lambda: self._entry_for(jurisdiction))

    def _entry_for(self, jurisdiction: str) -> JurisdictionEntry | None:
        for entry in self.jurisdictions:
            if any(code_matches(code, jurisdiction) for code in entry.codes):
                return entry
        return None

    def rule_for(self, entry: JurisdictionEntry, channel: str, purpose: str) -> Rule | None:
        """The most specific `channel.purpose` rule of the entry (the purpose, then its ancestors)."""
        return self._cached(
            ("rule", entry.index, channel, purpose), lambda: self._rule_for(entry, channel, purpose)
        )

    def _rule_for(self, entry: JurisdictionEntry, channel: str, purpose: str) -> Rule | None:
        for p in reversed(self.ancestors(purpose)):
            rule = entry.rules.get(f"{channel}.{p}")
            if rule is not None:
                return rule
        return None

    def unified_pairs(self) -> list[tuple[str, str]]:
        """Every (channel, purpose) whose decisions the unified table keeps."""
        return [(c.name, p) for c in self.channels.values() for p in c.purposes]
