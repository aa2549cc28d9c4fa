"""The `jurisdictions` part of a policy: match lists and per `channel.purpose` rules."""

from __future__ import annotations

import re

from consent.durations import Duration, parse_duration
from consent.policy_model import (
    ChannelSpec,
    DncSpec,
    GpcSpec,
    JurisdictionEntry,
    PurposeSpec,
    Rule,
    SoftOptIn,
)
from consent.vocabulary import RELATIONSHIP_KINDS
from consent.yaml_doc import Doc

_CODE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3}|-\*)?$")
RULE_KEYS = {"model", "soft_opt_in", "implied", "dnc", "signals"}


def load_jurisdictions(
    doc: Doc,
    regions: dict[str, tuple[str, ...]],
    channels: dict[str, ChannelSpec],
    purposes: dict[str, PurposeSpec],
) -> tuple[JurisdictionEntry, ...]:
    """Every jurisdiction entry, in order (first match wins)."""
    entries = []
    for index, item in enumerate(doc.seq()):
        spec = item.mapping({"match", "rules"}, ("match", "rules"))
        codes: list[str] = []
        for code_doc in spec["match"].seq():
            code = code_doc.text()
            if code in regions:
                codes.extend(regions[code])
            elif _CODE.match(code):
                codes.append(code)
            else:
                raise code_doc.fail(f"{code!r} is neither a region name nor a code such as DE, US-CA or US-*")
        rules = {}
        for key, rule_doc in spec["rules"].items():
            rules[key] = _rule(key, rule_doc, channels, purposes)
        label = ", ".join(c.text() for c in spec["match"].seq())
        entries.append(JurisdictionEntry(index=index, label=label, codes=tuple(codes), rules=rules))
    if not entries:
        raise doc.fail("at least one jurisdiction entry is needed")
    return tuple(entries)


def _rule(key: str, doc: Doc, channels: dict[str, ChannelSpec], purposes: dict[str, PurposeSpec]) -> Rule:
    channel, _, purpose = key.partition(".")
    if channel not in channels:
        raise doc.fail(f"rule {key!r} names unknown channel {channel!r}; channels: {', '.join(channels)}")
    if purpose not in purposes:
        raise doc.fail(f"rule {key!r} names unknown purpose {purpose!r}; purposes: {', '.join(purposes)}")
    spec = doc.mapping(RULE_KEYS, ("model",))
    soft = _soft_opt_in(spec["soft_opt_in"], purposes) if "soft_opt_in" in spec else None
    implied = _windows(spec["implied"]) if "implied" in spec else {}
    dnc = _dnc(spec["dnc"]) if "dnc" in spec else None
    gpc = None
    if "signals" in spec:
        signals = spec["signals"].mapping({"gpc"})
        if "gpc" in signals:
            if not _declares_gpc(purpose, purposes):
                raise signals["gpc"].fail(
                    f"purpose {purpose!r} does not declare `signals: [gpc]` under purposes"
                )
            gpc = _gpc(signals["gpc"])
    return Rule(
        key=key,
        model=spec["model"].choice(("opt_in", "opt_out")),
        soft_opt_in=soft,
        implied=implied,
        dnc=dnc,
        gpc=gpc,
    )


def _declares_gpc(purpose: str, purposes: dict[str, PurposeSpec]) -> bool:
    current: str | None = purpose
    while current is not None:
        if "gpc" in purposes[current].signals:
            return True
        current = purposes[current].parent
    return False


def _duration(doc: Doc) -> Duration:
    try:
        return parse_duration(doc.text())
    except ValueError as exc:
        raise doc.fail(str(exc)) from None


def _windows(doc: Doc) -> dict[str, Duration]:
    return {kind: _duration(value) for kind, value in doc.mapping(set(RELATIONSHIP_KINDS)).items()}


def _soft_opt_in(doc: Doc, purposes: dict[str, PurposeSpec]) -> SoftOptIn:
    spec = doc.mapping({"requires", "purposes"}, ("requires", "purposes"))
    return SoftOptIn(
        requires=spec["requires"].choice(("purchase_with_refusal_offered",)),
        purposes=frozenset(p.choice(frozenset(purposes)) for p in spec["purposes"].seq()),
    )


def _dnc(doc: Doc) -> DncSpec:
    spec = doc.mapping({"registry", "max_snapshot_age", "exemptions"}, ("registry", "max_snapshot_age"))
    pewc, ebr = True, {}
    if "exemptions" in spec:
        exemptions = spec["exemptions"].mapping({"pewc_opt_in", "ebr"})
        pewc = exemptions["pewc_opt_in"].flag() if "pewc_opt_in" in exemptions else True
        ebr = _windows(exemptions["ebr"]) if "ebr" in exemptions else {}
    return DncSpec(
        registry=spec["registry"].text(),
        max_snapshot_age=_duration(spec["max_snapshot_age"]),
        pewc_opt_in=pewc,
        ebr=ebr,
    )


def _gpc(doc: Doc) -> GpcSpec:
    spec = doc.mapping({"honor_in", "overridable_by"}, ("honor_in",))
    honor = []
    for code_doc in spec["honor_in"].seq():
        code = code_doc.text()
        if not _CODE.match(code):
            raise code_doc.fail(f"{code!r} is not a jurisdiction code such as US-CA")
        honor.append(code)
    override = None
    if "overridable_by" in spec:
        override = spec["overridable_by"].choice(("newer_opt_in_with_acknowledged_conflict", "never"))
    return GpcSpec(honor_in=tuple(honor), overridable_by=None if override == "never" else override)
