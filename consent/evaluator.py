"""The pure evaluator: `decide(facts, policy, ...)` follows research section 3.3 step by step."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from consent import evaluator_consent
from consent.decision import Decision, Trace, decided_by
from consent.eval_context import Ctx, Outcome
from consent.facts import SubjectFacts
from consent.policy_model import ChannelSpec, Policy, code_matches
from core.clock import as_utc
from core.errors import InvalidInput


def check_query(policy: Policy, channel: str, purpose: str) -> ChannelSpec:
    """The channel's spec; InvalidInput naming the field for an unknown channel or purpose."""
    if channel not in policy.channels:
        raise InvalidInput(
            f"unknown channel {channel!r}; policy {policy.version} knows {', '.join(policy.channels)}",
            field="channel",
        )
    if purpose not in policy.purposes:
        raise InvalidInput(
            f"unknown purpose {purpose!r}; policy {policy.version} knows {', '.join(policy.purposes)}",
            field="purpose",
        )
    return policy.channels[channel]


def decide(
    facts: SubjectFacts | None,
    policy: Policy,
    *,
    channel: str,
    purpose: str,
    contact_point: str | None = None,
    at: datetime,
    known_at: datetime | None = None,
    explain: bool = True,
) -> Decision:
    """Decide one customer x channel x purpose (x contact point) at `at`; pure, deterministic.

    `explain=False` skips building `considered[]` (the unified table does not store it).
    """
    spec = check_query(policy, channel, purpose)
    at = as_utc(at)
    known_at = as_utc(known_at) if known_at is not None else None
    if facts is None:
        return Decision(
            False,
            "unknown_customer",
            None,
            channel,
            purpose,
            contact_point,
            policy.version,
            at,
            known_at=known_at,
        )
    points = facts.points(spec.contact_point_kind)
    if contact_point is not None and contact_point not in points:
        return _no_point(facts, policy, spec, purpose, contact_point, at, known_at)
    if contact_point is not None:
        return _decide_point(facts, policy, spec, purpose, contact_point, at, known_at, explain)
    if not points:
        return _no_point(facts, policy, spec, purpose, None, at, known_at)
    results = [_decide_point(facts, policy, spec, purpose, p, at, known_at, explain) for p in points]
    chosen = next((d for d in results if d.allowed), results[0])
    horizons = [d.valid_until for d in results if d.valid_until is not None]
    horizon = min(horizons) if horizons else None
    return chosen if horizon == chosen.valid_until else replace(chosen, valid_until=horizon)


def _no_point(facts, policy, spec: ChannelSpec, purpose, point, at, known_at) -> Decision:
    trace = Trace(at=at)
    kind = spec.contact_point_kind
    if point is None:
        trace.note_rule(f"channel.{spec.name}", f"the customer has no {kind} contact point")
    else:
        trace.note_rule(f"channel.{spec.name}", f"{point} is not one of the customer's {kind} contact points")
    return Decision(
        False,
        "no_contact_point",
        facts.customer_id,
        spec.name,
        purpose,
        point,
        policy.version,
        at,
        considered=tuple(trace.considered),
        known_at=known_at,
    )


def _decide_point(facts, policy, spec, purpose, point, at, known_at, explain: bool) -> Decision:
    ctx = Ctx(facts, policy, spec, purpose, point, at, known_at, Trace(at=at, explain=explain))
    outcome = _run(ctx)
    return Decision(
        outcome.allowed,
        outcome.reason,
        facts.customer_id,
        spec.name,
        purpose,
        point,
        policy.version,
        at,
        decided_by=outcome.by,
        considered=tuple(ctx.trace.considered),
        valid_until=ctx.trace.horizon,
        rule=ctx.rule_id,
        known_at=known_at,
    )


def _run(ctx: Ctx) -> Outcome:
    for step in (_suppression, _transactional, _jurisdiction, _internal_dnc, _registry_age, _gpc):
        outcome = step(ctx)
        if outcome is not None:
            return outcome
    return evaluator_consent.consent_steps(ctx)


def _suppression(ctx: Ctx) -> Outcome | None:
    """Step 3: an absolute block on the contact point (or person-wide) denies with `suppressed`."""
    lineage = set(ctx.policy.ancestors(ctx.purpose))
    for block in ctx.policy.absolute_blocks:
        if block.channels is not None and ctx.channel.name not in block.channels:
            continue
        if block.purposes is not None and not lineage.intersection(block.purposes):
            continue
        for entry in ctx.facts.suppressions:
            if entry.list not in block.lists or entry.contact_point not in (ctx.contact_point, None):
                continue
            if entry.contact_point is None and not entry.own:
                continue
            if not ctx.visible(entry):
                continue
            if entry.expires_at is not None and entry.expires_at <= ctx.at:
                ctx.trace.note(entry, f"ignored: {entry.list} expired")
                continue
            ctx.trace.until(entry.expires_at)
            ctx.trace.note(entry, f"blocks: {entry.list} (absolute)")
            return Outcome(False, "suppressed", decided_by(entry))
    return None


def _transactional(ctx: Ctx) -> Outcome | None:
    """Step 4: a purpose that needs no consent is allowed."""
    if not ctx.policy.requires_consent(ctx.purpose):
        ctx.trace.note_rule(f"purposes.{ctx.purpose}", "requires_consent: false")
        return Outcome(True, "transactional")
    return None


def _jurisdiction(ctx: Ctx) -> Outcome | None:
    """Step 5: the customer's jurisdiction must match an entry that has a rule for channel.purpose."""
    jurisdiction = ctx.facts.jurisdiction
    entry = ctx.policy.entry_for(jurisdiction)
    if entry is None:
        ctx.trace.note_rule("profile.jurisdiction", f"{jurisdiction or 'none'} matches no jurisdiction entry")
        return Outcome(False, "unknown_jurisdiction")
    rule = ctx.policy.rule_for(entry, ctx.channel.name, ctx.purpose)
    if rule is None:
        ctx.trace.note_rule(
            f"jurisdictions[{entry.index}]",
            f"{jurisdiction} matches [{entry.label}], which has no rule for {ctx.channel.name}.{ctx.purpose}",
        )
        return Outcome(False, "unknown_jurisdiction")
    ctx.rule = rule
    ctx.rule_id = f"jurisdictions[{entry.index}].rules.{rule.key}"
    ctx.trace.note_rule(ctx.rule_id, f"{jurisdiction} matches [{entry.label}]: model {rule.model}")
    return None


def _internal_dnc(ctx: Ctx) -> Outcome | None:
    """Step 6a: a company do-not-call/do-not-text request for this number (or this person) denies."""
    keying = ctx.channel.internal_dnc
    if keying is None:
        return None
    for request in ctx.facts.dnc_requests:
        if request.channel != ctx.channel.name:
            continue
        if keying == "keyed_by_phone":
            applies = request.phone == ctx.contact_point or (request.phone is None and request.own)
        else:
            applies = bool(request.own)
        if applies and ctx.visible(request):
            ctx.trace.note(request, "blocks: company do-not-contact request")
            return Outcome(False, "internal_dnc", decided_by(request))
    return None


def _registry_age(ctx: Ctx) -> Outcome | None:
    """Step 6b: the registry snapshot must be younger than the rule's maximum age."""
    dnc = ctx.rule.dnc
    if dnc is None:
        return None
    snapshots = [s for s in ctx.facts.registry_snapshots if s.registry == dnc.registry]
    current = None
    for snap in sorted(snapshots, key=lambda s: (s.captured_at, s.id)):
        if ctx.visible(snap):
            current = snap
    if current is None:
        ctx.trace.note_rule(ctx.rule_id, f"no {dnc.registry} registry snapshot")
        return Outcome(False, "registry_stale")
    stale_at = dnc.max_snapshot_age.after(current.captured_at)
    if stale_at <= ctx.at:
        ctx.trace.note(current, f"stale: older than {dnc.max_snapshot_age}")
        return Outcome(False, "registry_stale", decided_by(current))
    ctx.trace.until(stale_at)
    listed = ctx.contact_point in current.listed
    ctx.trace.note(current, "lists the number" if listed else "does not list the number")
    ctx.listed_in = current if listed else None
    return None


def _gpc(ctx: Ctx) -> Outcome | None:
    """Step 7: a GPC signal denies unless a newer opt-in acknowledges the conflict."""
    spec = ctx.rule.gpc
    jurisdiction = ctx.facts.jurisdiction or ""
    if spec is None or "gpc" not in ctx.policy.signals_for(ctx.purpose):
        return None
    if not any(code_matches(code, jurisdiction) for code in spec.honor_in):
        return None
    signals = [s for s in ctx.facts.gpc_signals if ctx.visible(s)]
    if not signals:
        return None
    latest = max(signals, key=lambda s: (s.captured_at, s.id))
    override = evaluator_consent.gpc_override(ctx, latest) if spec.overridable_by else None
    if override is not None:
        ctx.trace.note(latest, f"overridden by newer opt-in {override.id} that acknowledges the conflict")
        return None
    ctx.trace.note(latest, "blocks: Global Privacy Control")
    return Outcome(False, "gpc", decided_by(latest))
