"""Validators per event type: each reads one raw event into a ValidEvent (normalised row values)."""

from __future__ import annotations

from consent.event_fields import Fields, guess_kind, phone_region
from consent.event_schema import ValidEvent
from consent.policy_model import Policy
from consent.vocabulary import RELATIONSHIP_KINDS, SCOPES, STATUSES


def _subject_row(event: ValidEvent) -> None:
    event.row["subject_kind"], event.row["subject"] = event.subject if event.subject else (None, None)


def _profile(f: Fields, policy: Policy) -> ValidEvent:
    f.text("source_key", required=True)
    emails = f.strings("emails") + f.strings("email")
    phones = f.strings("phones") + f.strings("phone")
    region = phone_region(f.text("jurisdiction") or f.text("country"), policy.evaluation.phone_default_region)
    for name, values, kind in (("emails", emails, "email"), ("phones", phones, "phone")):
        for i, value in enumerate(values):
            _check(f, name, i, value, kind, region)
    jurisdiction = f.text("jurisdiction", max_len=8)
    row = {
        "source_key": f.text("source_key", required=True),
        "customer": f.text("customer", max_len=64),
        "first_name": f.text("first_name"),
        "last_name": f.text("last_name"),
        "full_name": f.text("full_name"),
        "emails": tuple(emails),
        "phones": tuple(phones),
        "street": f.text("street", max_len=300),
        "city": f.text("city"),
        "postal_code": f.text("postal_code", max_len=20),
        "region": f.text("region", max_len=3),
        "country": f.text("country", max_len=2),
        "jurisdiction": jurisdiction.upper() if jurisdiction else None,
        "observed_at": f.instant("observed_at"),
    }
    return ValidEvent("profile", 0, "", None, row)


def _check(f: Fields, name: str, i: int, value: str, kind: str, region: str) -> None:
    Fields({f"{name}[{i}]": value}, f.where).contact(f"{name}[{i}]", kind, region)


def _contact_point(f: Fields, policy: Policy) -> ValidEvent:
    subject = f.subject()
    if subject is None:
        raise f.error("customer", "a contact_point event needs customer or source_key")
    kind = f.choice("kind", ("email", "phone", "postal"), required=True, what="contact point kind")
    value = f.contact("value", kind, policy.evaluation.phone_default_region)
    return ValidEvent(
        "contact_point", 0, "", None, {"observed_at": f.instant("observed_at")}, subject, (kind, value)
    )


def _consent(f: Fields, policy: Policy) -> ValidEvent:
    event_id = f.text("id", required=True)
    scope = f.choice("scope", SCOPES, what="scope")
    has_point = f.present("contact_point")
    scope = scope or ("contact_point" if has_point else "channel")
    channel = f.choice("channel", policy.channels, required=scope != "person", what="channel")
    if scope == "person" and (channel or has_point):
        raise f.error(
            "scope", "a person-scope record applies to every channel: leave out channel and contact_point"
        )
    purpose = f.choice("purpose", policy.purposes, required=True, what="purpose")
    status = f.choice("status", STATUSES, required=True, what="status")
    method = f.token("method", required=True).lower()
    jurisdiction = f.text("jurisdiction", max_len=8)
    contact = None
    if scope == "contact_point":
        if not has_point:
            raise f.error("contact_point", "a contact_point-scope record needs contact_point")
        kind = policy.channels[channel].contact_point_kind
        raw = f.text("contact_point", max_len=400)
        kind = guess_kind(raw) if kind == "any" else kind
        region = phone_region(jurisdiction, policy.evaluation.phone_default_region)
        contact = (kind, f.contact("contact_point", kind, region))
    subject = f.subject()
    if subject is None and scope != "contact_point":
        raise f.error("customer", f"a {scope}-scope record needs customer or source_key")
    captured = f.instant("captured_at", required=True)
    expires = f.instant("expires_at")
    if expires is not None and expires <= captured:
        raise f.error("expires_at", "must be after captured_at")
    row = {
        "channel": channel,
        "purpose": purpose,
        "status": status,
        "method": method,
        "scope": scope,
        "contact_kind": contact[0] if contact else None,
        "contact_point": contact[1] if contact else None,
        "captured_at": captured,
        "expires_at": expires,
        "jurisdiction": jurisdiction.upper() if jurisdiction else None,
        "evidence": f.mapping("evidence"),
    }
    event = ValidEvent("consent", 0, "", event_id, row, subject, contact)
    _subject_row(event)
    return event


def _needs_subject(f: Fields, kind: str) -> tuple[str, str]:
    subject = f.subject()
    if subject is None:
        raise f.error("customer", f"a {kind} event needs customer or source_key")
    return subject


def _relationship(f: Fields, policy: Policy) -> ValidEvent:
    event_id = f.text("id", required=True)
    subject = _needs_subject(f, "relationship")
    row = {
        "kind": f.choice("kind", RELATIONSHIP_KINDS, required=True, what="relationship kind"),
        "occurred_at": f.instant("occurred_at", required=True),
        "soft_opt_in_notice_given": f.flag("soft_opt_in_notice_given"),
    }
    event = ValidEvent("relationship", 0, "", event_id, row, subject)
    _subject_row(event)
    return event


def _gpc(f: Fields, policy: Policy) -> ValidEvent:
    event_id = f.text("id", required=True)
    event = ValidEvent(
        "gpc_signal", 0, "", event_id, {"observed_at": f.instant("observed_at", required=True)}
    )
    event.subject = _needs_subject(f, "gpc_signal")
    _subject_row(event)
    return event


def _registry(f: Fields, policy: Policy) -> ValidEvent:
    registry = f.token("registry", required=True)
    downloaded = f.instant("downloaded_at", required=True)
    if not isinstance(f.raw.get("listed_numbers"), list):
        raise f.error("listed_numbers", "is required: a list of phone numbers (may be empty)")
    region = policy.evaluation.phone_default_region
    numbers = sorted({_number(f, i, region) for i in range(len(f.raw["listed_numbers"]))})
    event_id = f.text("id") or f"{registry}:{downloaded.isoformat()}"
    row = {"registry_name": registry, "downloaded_at": downloaded, "number_count": len(numbers)}
    return ValidEvent("dnc_registry_snapshot", 0, "", event_id, row, numbers=numbers)


def _number(f: Fields, i: int, region: str) -> str:
    return Fields({f"listed_numbers[{i}]": f.raw["listed_numbers"][i]}, f.where).contact(
        f"listed_numbers[{i}]", "phone", region
    )


def _dnc_request(f: Fields, policy: Policy) -> ValidEvent:
    event_id = f.text("id", required=True)
    subject = f.subject()
    phone = (
        f.contact(
            "phone",
            "phone",
            phone_region(f.text("jurisdiction", max_len=8), policy.evaluation.phone_default_region),
        )
        if f.present("phone")
        else None
    )
    if subject is None and phone is None:
        raise f.error("phone", "a dnc_request needs phone, or customer / source_key for the whole person")
    channels = {name for name, spec in policy.channels.items() if spec.internal_dnc}
    channel = f.choice("channel", channels, what="do-not-contact channel") or "voice"
    row = {"phone": phone, "channel": channel, "captured_at": f.instant("captured_at", required=True)}
    event = ValidEvent("dnc_request", 0, "", event_id, row, subject, ("phone", phone) if phone else None)
    _subject_row(event)
    return event


def _suppression(f: Fields, policy: Policy) -> ValidEvent:
    event_id = f.text("id", required=True)
    name = f.choice("list", policy.suppression_lists, required=True, what="suppression list")
    subject = f.subject()
    contact = None
    if f.present("contact_point"):
        raw = f.text("contact_point", max_len=400)
        kind = guess_kind(raw)
        contact = (kind, f.contact("contact_point", kind, policy.evaluation.phone_default_region))
    elif subject is None:
        raise f.error(
            "contact_point",
            "a suppression needs contact_point, or customer / source_key for the whole person",
        )
    captured = f.instant("captured_at", required=True)
    expires = f.instant("expires_at")
    if expires is not None and expires <= captured:
        raise f.error("expires_at", "must be after captured_at")
    row = {
        "list": name,
        "contact_kind": contact[0] if contact else None,
        "contact_point": contact[1] if contact else None,
        "captured_at": captured,
        "expires_at": expires,
    }
    event = ValidEvent("suppression", 0, "", event_id, row, subject, contact)
    _subject_row(event)
    return event


VALIDATORS = {
    "profile": _profile,
    "contact_point": _contact_point,
    "consent": _consent,
    "relationship": _relationship,
    "gpc_signal": _gpc,
    "dnc_registry_snapshot": _registry,
    "dnc_request": _dnc_request,
    "suppression": _suppression,
}
