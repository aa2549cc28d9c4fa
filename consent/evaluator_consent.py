"""Steps 8 to 13 of the evaluation: slots, opt-outs, registry exemptions, opt-ins, defaults and fallbacks."""

from __future__ import annotations

from consent.decision import decided_by
from consent.durations import Duration
from consent.eval_context import Ctx, Outcome
from consent.facts import ConsentFact, RelationshipFact
from consent.slots import SlotState, fold


def slot_records(ctx: Ctx) -> dict[str, list[ConsentFact]]:
    """Visible records per slot: each purpose ancestor x {person, channel, contact point} (hierarchical AND)."""
    if ctx.slots is not None:
        return ctx.slots
    lineage = ctx.policy.ancestors(ctx.purpose)
    scopes = ctx.policy.evaluation.scopes
    keying = ctx.policy.evaluation.contact_point_keying
    slots: dict[str, list[ConsentFact]] = {}
    for r in ctx.facts.consents:
        if r.purpose not in lineage:
            continue
        if r.scope == "person":
            applies, where = bool(r.own), "person"
        elif r.scope == "channel":
            applies, where = bool(r.own) and r.channel == ctx.channel.name, f"channel:{ctx.channel.name}"
        else:
            applies = r.contact_point == ctx.contact_point and r.channel == ctx.channel.name
            applies = applies and (keying == "global" or r.own is not False)
            where = f"contact_point:{ctx.contact_point}"
        if not applies:
            continue
        slot = f"{r.purpose}/{where}"
        if r.scope not in scopes:
            ctx.trace.note(r, f"ignored: scope {r.scope} is not used by this policy", slot=slot)
            continue
        if ctx.visible(r, slot):
            slots.setdefault(slot, []).append(r)
    ctx.slots = slots
    return slots


def gpc_override(ctx: Ctx, signal) -> ConsentFact | None:
    """A newer, unexpired opt-in in a relevant slot whose evidence acknowledges the GPC conflict."""
    found = None
    for records in slot_records(ctx).values():
        for r in records:
            evidence = r.evidence or {}
            if r.status != "opt_in" or r.captured_at <= signal.captured_at:
                continue
            if evidence.get("gpc_conflict_acknowledged") is not True:
                continue
            if r.expires_at is not None and r.expires_at <= ctx.at:
                continue
            if found is None or r.captured_at > found.captured_at:
                found = r
    return found


def consent_steps(ctx: Ctx) -> Outcome:
    """Steps 8-13 (see research section 3.3)."""
    states = [
        fold(slot, records, ctx.policy, ctx.at, ctx.trace) for slot, records in slot_records(ctx).items()
    ]
    for status in ("objection", "opt_out"):
        hits = [s for s in states if s.state == status]
        if hits:
            return Outcome(False, status, decided_by(_latest(hits)))
    qualifying, failure = _qualify(ctx, [s for s in states if s.state == "opt_in"])
    if ctx.listed_in is not None:
        return _registry_listed(ctx, qualifying)
    if qualifying is not None:
        return Outcome(True, "explicit_opt_in", decided_by(qualifying))
    if ctx.rule.model == "opt_out":
        ctx.trace.note_rule(ctx.rule_id, "no opt-out on record under an opt-out model")
        return Outcome(True, "nonrestrictive_default")
    return _fallbacks(ctx, states, failure)


def _latest(states: list[SlotState]) -> ConsentFact:
    return max((s.record for s in states), key=lambda r: (r.captured_at, r.id))


def _qualify(ctx: Ctx, opt_ins: list[SlotState]) -> tuple[ConsentFact | None, tuple[str, ConsentFact] | None]:
    """Step 11's checks: the channel's authoritative sources and the required evidence."""
    sources = ctx.channel.opt_in_sources or ctx.policy.opt_in.sources
    spec = ctx.policy.opt_in
    failure = None
    for record in sorted((s.record for s in opt_ins), key=lambda r: (r.captured_at, r.id), reverse=True):
        if sources is not None and record.source not in sources:
            ctx.trace.note(record, f"not counted: {record.source} may not grant {ctx.channel.name} opt-in")
            failure = failure or ("non_authoritative_source", record)
            continue
        evidence = record.evidence or {}
        missing = [f for f in spec.evidence_fields if not evidence.get(f)] if spec.evidence_required else []
        if missing:
            ctx.trace.note(record, f"not counted: evidence lacks {', '.join(missing)}")
            failure = failure or ("missing_evidence", record)
            continue
        return record, failure
    return None, failure


def _registry_listed(ctx: Ctx, qualifying: ConsentFact | None) -> Outcome:
    """Step 10: a registry-listed number needs an evidenced opt-in or a live EBR."""
    dnc = ctx.rule.dnc
    if qualifying is not None and dnc.pewc_opt_in:
        return Outcome(True, "explicit_opt_in", decided_by(qualifying))
    ebr = _live_ebr(ctx, dnc.ebr)
    if ebr is not None:
        return Outcome(True, "ebr", decided_by(ebr))
    return Outcome(False, "dnc_registry", decided_by(ctx.listed_in))


def _window_end(windows: dict[str, Duration], r: RelationshipFact):
    return windows[r.relationship].after(r.captured_at)


def _live_ebr(ctx: Ctx, windows: dict[str, Duration]) -> RelationshipFact | None:
    """The relationship with the latest-ending live EBR window, unless a later company DNC request ended it."""
    requests = [
        q for q in ctx.facts.dnc_requests if q.own and q.channel == ctx.channel.name and ctx.visible(q)
    ]
    best = None
    for r in ctx.facts.relationships:
        if r.relationship not in windows or not ctx.visible(r):
            continue
        end = _window_end(windows, r)
        ender = next((q for q in requests if q.captured_at >= r.captured_at), None)
        if ender is not None:
            ctx.trace.note(r, f"EBR ended by company do-not-call request {ender.id}")
        elif end <= ctx.at:
            ctx.trace.note(r, f"EBR window {windows[r.relationship]} ended")
        else:
            ctx.trace.until(end)
            ctx.trace.note(r, f"EBR live until {end.isoformat()}")
            if best is None or end > _window_end(windows, best):
                best = r
    return best


def _fallbacks(ctx: Ctx, states: list[SlotState], failure) -> Outcome:
    """Step 13: implied consent, soft opt-in, then the most telling denial."""
    rule = ctx.rule
    lapsed = None
    if rule.implied:
        live = None
        for r in ctx.facts.relationships:
            if r.relationship not in rule.implied or not ctx.visible(r):
                continue
            end = _window_end(rule.implied, r)
            if end > ctx.at:
                ctx.trace.until(end)
                ctx.trace.note(r, f"implied consent until {end.isoformat()}")
                if live is None or end > _window_end(rule.implied, live):
                    live = r
            else:
                ctx.trace.note(r, f"implied consent window {rule.implied[r.relationship]} ended")
                lapsed = r if lapsed is None or r.captured_at > lapsed.captured_at else lapsed
        if live is not None:
            return Outcome(True, "implied_consent", decided_by(live))
        if lapsed is not None:
            return Outcome(False, "expired", decided_by(lapsed))
    soft = rule.soft_opt_in
    if soft is not None and ctx.purpose in soft.purposes:
        for r in ctx.facts.relationships:
            if r.relationship == "purchase" and ctx.visible(r):
                if r.soft_opt_in_notice_given:
                    ctx.trace.note(r, "soft opt-in: purchase with the chance to refuse")
                    return Outcome(True, "soft_opt_in", decided_by(r))
                ctx.trace.note(r, "no soft opt-in: refusal was not offered at the purchase")
    if failure is not None:
        return Outcome(False, failure[0], decided_by(failure[1]))
    for state in ("expired", "pending"):
        hits = [s for s in states if s.state == state]
        if hits:
            return Outcome(False, state, decided_by(_latest(hits)))
    ctx.trace.note_rule(ctx.rule_id, "opt-in model and no consent on record")
    return Outcome(False, "no_consent")
