"""Load and validate a policy YAML document into a `Policy`; errors name the line and the field."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from consent.durations import Duration, parse_duration
from consent.policy_model import (
    Block,
    ChannelSpec,
    Evaluation,
    OptInSpec,
    Policy,
    PurposeSpec,
)
from consent.policy_rules import load_jurisdictions
from consent.vocabulary import REASONS, SCOPES, STATUSES
from consent.yaml_doc import Doc, parse_document

POLICY_DIR = Path(__file__).resolve().parent / "policies"
REFERENCE_VERSION = "reference-v1"
STRATEGIES = ("ordered_log", "most_restrictive", "most_recent", "source_priority", "status_priority")
CONTACT_KINDS = ("email", "phone", "postal", "any")
TOP_KEYS = {
    "policy",
    "description",
    "evaluation",
    "absolute_blocks",
    "opt_out",
    "opt_in",
    "purposes",
    "channels",
    "regions",
    "jurisdictions",
    "suppression_lists",
    "reason_codes",
}


def checksum(text: str) -> str:
    """SHA-256 of the policy text as uploaded."""
    return hashlib.sha256(text.encode()).hexdigest()


def load_policy(text: str) -> Policy:
    """Parse and validate policy YAML text; DocumentError naming line and field on the first problem."""
    root = parse_document(text, "policy")
    top = root.mapping(TOP_KEYS, required=("policy", "evaluation", "purposes", "channels", "jurisdictions"))
    version = top["policy"].text()
    if len(version) > 80 or not all(ch.isalnum() or ch in "-_." for ch in version):
        raise top["policy"].fail("policy name must be up to 80 letters, digits, '-', '_' or '.'")
    suppression_lists = frozenset(top["suppression_lists"].texts()) if "suppression_lists" in top else None
    purposes = _purposes(top["purposes"])
    channels = _channels(top["channels"], purposes)
    blocks = tuple(_block(b, channels, purposes, suppression_lists) for b in _seq(top, "absolute_blocks"))
    if suppression_lists is None:
        suppression_lists = frozenset(name for b in blocks for name in b.lists)
    regions = {k: tuple(v.texts()) for k, v in top["regions"].items()} if "regions" in top else {}
    if "reason_codes" in top:
        _check_reasons(top["reason_codes"])
    return Policy(
        version=version,
        description=top["description"].text() if "description" in top else "",
        evaluation=_evaluation(top["evaluation"]),
        absolute_blocks=blocks,
        opt_out_statuses=_opt_out(top["opt_out"])
        if "opt_out" in top
        else frozenset({"opt_out", "objection"}),
        opt_in=_opt_in(top["opt_in"]) if "opt_in" in top else OptInSpec(),
        purposes=purposes,
        channels=channels,
        jurisdictions=load_jurisdictions(top["jurisdictions"], regions, channels, purposes),
        suppression_lists=suppression_lists,
        checksum=checksum(text),
        regions=regions,
    )


@lru_cache(maxsize=32)
def cached_policy(text: str) -> Policy:
    """`load_policy` memoised by text (policies are immutable once stored)."""
    return load_policy(text)


def reference_text() -> str:
    """The packaged reference-v1 policy text."""
    return (POLICY_DIR / f"{REFERENCE_VERSION}.yaml").read_text()


def _seq(top: dict[str, Doc], key: str) -> list[Doc]:
    return top[key].seq() if key in top else []


def _duration(doc: Doc) -> Duration:
    try:
        return parse_duration(doc.text())
    except ValueError as exc:
        raise doc.fail(str(exc)) from None


def _evaluation(doc: Doc) -> Evaluation:
    keys = {
        "strategy",
        "order_by",
        "as_of",
        "tie_break",
        "clock_skew_tolerance",
        "unknown_customer",
        "unknown_jurisdiction",
        "missing_contact_point",
        "scopes",
        "contact_point_keying",
        "normalise",
        "source_rank",
        "status_priority",
    }
    ev = doc.mapping(keys)
    if "order_by" in ev and ev["order_by"].text() != "captured_at":
        raise ev["order_by"].fail("records are ordered by when they happened at the source: use captured_at")
    if "as_of" in ev:
        ev["as_of"].choice(("query.at",))
    for key in ("unknown_customer", "unknown_jurisdiction", "missing_contact_point"):
        if key in ev and ev[key].text() != "deny":
            raise ev[key].fail("Concord fails closed: this must be deny")
    scopes = frozenset(s.choice(SCOPES) for s in ev["scopes"].seq()) if "scopes" in ev else frozenset(SCOPES)
    region = "US"
    if "normalise" in ev:
        norm = ev["normalise"].mapping({"email", "phone"})
        if "email" in norm:
            norm["email"].choice(("lowercase_trim",))
        if "phone" in norm:
            phone = norm["phone"].text()
            prefix = "e164_default_country_"
            if not phone.startswith(prefix) or len(phone) != len(prefix) + 2:
                raise norm["phone"].fail("expected e164_default_country_XX (an ISO country code)")
            region = phone[len(prefix) :].upper()
    priority = (
        tuple(s.choice(STATUSES) for s in ev["status_priority"].seq()) if "status_priority" in ev else None
    )
    return Evaluation(
        strategy=ev["strategy"].choice(STRATEGIES) if "strategy" in ev else "ordered_log",
        tie_break=ev["tie_break"].choice(("restrictive", "permissive"))
        if "tie_break" in ev
        else "restrictive",
        clock_skew=_duration(ev["clock_skew_tolerance"]) if "clock_skew_tolerance" in ev else None,
        scopes=scopes,
        contact_point_keying=(
            ev["contact_point_keying"].choice(("global", "customer"))
            if "contact_point_keying" in ev
            else "global"
        ),
        phone_default_region=region,
        source_rank=tuple(ev["source_rank"].texts()) if "source_rank" in ev else (),
        status_priority=priority or Evaluation.status_priority,
    )


def _opt_out(doc: Doc) -> frozenset[str]:
    spec = doc.mapping({"accept_from", "effective", "statuses"})
    if "accept_from" in spec and spec["accept_from"].text() != "any":
        raise spec["accept_from"].fail(
            "opt-outs are accepted from any source (any reasonable means): use any"
        )
    if "effective" in spec and spec["effective"].text() != "immediately":
        raise spec["effective"].fail("opt-outs take effect immediately: use immediately")
    if "statuses" not in spec:
        return frozenset({"opt_out", "objection"})
    statuses = frozenset(s.choice(("opt_out", "objection")) for s in spec["statuses"].seq())
    if "opt_out" not in statuses:
        raise spec["statuses"].fail("opt_out must be listed")
    return statuses


def _opt_in(doc: Doc) -> OptInSpec:
    spec = doc.mapping(
        {"evidence_required", "evidence_fields", "reconsent_methods", "pending_statuses", "sources"}
    )
    methods = spec["reconsent_methods"].seq() if "reconsent_methods" in spec else []
    for method in methods:
        if method.text() == "import":
            raise method.fail("imports never re-consent: remove import from reconsent_methods")
    return OptInSpec(
        evidence_required=spec["evidence_required"].flag() if "evidence_required" in spec else True,
        evidence_fields=tuple(spec["evidence_fields"].texts())
        if "evidence_fields" in spec
        else ("capture_source",),
        reconsent_methods=frozenset(m.text() for m in methods),
        pending_statuses=(
            frozenset(s.choice(("pending",)) for s in spec["pending_statuses"].seq())
            if "pending_statuses" in spec
            else frozenset({"pending"})
        ),
        sources=frozenset(spec["sources"].texts()) if "sources" in spec else None,
    )


def _purposes(doc: Doc) -> dict[str, PurposeSpec]:
    declared: dict[str, dict[str, Doc]] = {}
    parents: dict[str, str] = {}
    for name, spec in doc.items():
        declared[name] = spec.mapping({"requires_consent", "children", "signals"})
        for child in declared[name].get("children").seq() if "children" in declared[name] else []:
            child_name = child.text()
            if not child_name.startswith(name + "."):
                raise child.fail(f"a child of {name!r} is named {name}.<something>")
            if parents.get(child_name, name) != name:
                raise child.fail(f"{child_name!r} already has parent {parents[child_name]!r}")
            parents[child_name] = name
    names = set(declared) | set(parents)
    for name in names:
        if "." in name and name not in parents:
            parent = name.rsplit(".", 1)[0]
            if parent in names:
                parents[name] = parent
    out: dict[str, PurposeSpec] = {}
    for name in sorted(names):
        spec = declared.get(name, {})
        signals = (
            frozenset(s.choice(("gpc",)) for s in spec["signals"].seq()) if "signals" in spec else frozenset()
        )
        out[name] = PurposeSpec(
            name=name,
            parent=parents.get(name),
            requires_consent=spec["requires_consent"].flag() if "requires_consent" in spec else True,
            signals=signals,
        )
    return out


def _channels(doc: Doc, purposes: dict[str, PurposeSpec]) -> dict[str, ChannelSpec]:
    out: dict[str, ChannelSpec] = {}
    for name, spec_doc in doc.items():
        spec = spec_doc.mapping(
            {"contact_point_kind", "opt_in", "internal_dnc", "purposes"}, ("contact_point_kind",)
        )
        sources = None
        if "opt_in" in spec:
            sources = frozenset(spec["opt_in"].mapping({"sources"}, ("sources",))["sources"].texts())
        listed = []
        for p in spec["purposes"].seq() if "purposes" in spec else []:
            listed.append(p.choice(frozenset(purposes)))
        out[name] = ChannelSpec(
            name=name,
            contact_point_kind=spec["contact_point_kind"].choice(CONTACT_KINDS),
            opt_in_sources=sources,
            internal_dnc=(
                spec["internal_dnc"].choice(("keyed_by_phone", "keyed_by_customer"))
                if "internal_dnc" in spec
                else None
            ),
            purposes=tuple(listed) if "purposes" in spec else tuple(sorted(purposes)),
        )
    return out


def _block(doc: Doc, channels, purposes, lists: frozenset[str] | None) -> Block:
    spec = doc.mapping({"kind", "lists", "channels", "purposes"}, ("kind", "lists"))
    spec["kind"].choice(("suppression",))
    names = frozenset(
        item.choice(lists) if lists is not None else item.text() for item in spec["lists"].seq()
    )
    chosen = None
    if "channels" in spec and spec["channels"].value() != "any":
        chosen = frozenset(c.choice(frozenset(channels)) for c in spec["channels"].seq())
    scoped = (
        tuple(p.choice(frozenset(purposes)) for p in spec["purposes"].seq()) if "purposes" in spec else None
    )
    return Block(lists=names, channels=chosen, purposes=scoped)


def _check_reasons(doc: Doc) -> None:
    listed = doc.texts()
    unknown = [r for r in listed if r not in REASONS]
    if unknown:
        raise doc.fail(f"unknown reason code {unknown[0]!r}; the engine reports: {', '.join(REASONS)}")
    missing = [r for r in REASONS if r not in listed]
    if missing:
        raise doc.fail(f"reason code {missing[0]!r} is missing; list every code the engine reports")
