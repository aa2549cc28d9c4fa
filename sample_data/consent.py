"""Everyday consent records of the CRM, the marketing platform and the product app, per person."""

from __future__ import annotations

from dataclasses import dataclass

from sample_data.context import DAY, Context
from sample_data.people import Person, weighted
from sample_data.records import SourceRecord

EU = frozenset({"DE", "FR", "NL", "IE", "ES", "IT"})
# Where sign-ups go through double opt-in (and consents to ad sharing expire after 13 months).
DOUBLE_OPT_IN = EU | {"GB", "CA"}
# Methods reference-v1 accepts as a fresh consent after an opt-out; every other opt-in method is not.
EXPLICIT_METHODS = frozenset(
    {"web_form", "preference_center", "double_opt_in_confirmed", "written_signed", "verbal_recorded",
     "sms_keyword_start"}
)  # fmt: skip
CRM_OPT_IN_METHODS = {
    "strict": (("web_form", 0.5), ("written_signed", 0.2), ("sales_rep_entry", 0.2), ("import", 0.1)),
    "loose": (("sales_rep_entry", 0.4), ("web_form", 0.3), ("import", 0.3)),
}
SIGNUP_SOURCES = ("esp:signup-form:footer", "esp:checkout", "esp:popup-welcome-10", "esp:landing:spring-sale")


@dataclass(slots=True)
class Event:
    """One consent record as a source system holds it (times are epoch seconds)."""

    system: str
    channel: str
    purpose: str
    status: str
    method: str
    captured: int
    received: int
    expires: int | None = None
    source: str = ""
    ip: str = ""
    evidence: bool = False
    contact: str | None = None  # marketing records name the address or number they are about


def consent_fields(ctx: Context, event: Event) -> tuple[str | None, ...]:
    """channel, purpose, status, method, captured and received, as every consent table starts them."""
    captured = ctx.ts(event.system, event.captured)
    received = ctx.ts(event.system, event.received)
    return (event.channel, event.purpose, event.status, event.method, captured, received)


def received_after(ctx: Context, system: str, captured: int) -> int:
    """When the source system recorded an event: CRM syncs nightly, the others within minutes."""
    rng = ctx.rng
    if system == "crm":
        return (captured // DAY + 1) * DAY + 2 * 3600 + rng.randrange(3000)
    if system == "product" and rng.random() < 0.05:
        return captured + rng.randint(3600, 3 * DAY)  # the app was offline
    return captured + rng.randint(1, 120 if system == "marketing" else 300)


def make(ctx: Context, system: str, channel: str, purpose: str, status: str, method: str, at: int) -> Event:
    """An event with the system's usual arrival delay, capture source and evidence."""
    event = Event(system, channel, purpose, status, method, at, received_after(ctx, system, at))
    if method in ("web_form", "preference_center", "double_opt_in_pending", "double_opt_in_confirmed"):
        event.ip = ctx.ip()
    if system == "crm":
        event.source = _CRM_SOURCES.get(method, "crm:sales-console")
        event.evidence = method in ("web_form", "written_signed", "verbal_recorded")
    elif system == "marketing":
        event.source = _ESP_SOURCES.get(method) or ctx.rng.choice(SIGNUP_SOURCES)
        event.contact = "phone" if channel == "sms" else "email"
        event.evidence = method not in ("import", "sms_keyword_start", "sms_keyword_stop")
    return event


_CRM_SOURCES = {
    "web_form": "crm:web-contact-form",
    "written_signed": "crm:paper-form-scan",
    "verbal_recorded": "crm:call-recording",
    "import": "crm:import:tradeshow-leads",
}
_ESP_SOURCES = {
    "preference_center": "esp:preference-center",
    "unsubscribe_link": "esp:unsubscribe",
    "sms_keyword_start": "esp:sms-shortcode-52790",
    "sms_keyword_stop": "esp:sms-shortcode-52790",
    "import": "esp:list-import",
}


def latest_capture(ctx: Context, system: str) -> int:
    """The last instant a record of this system can have been captured and already arrived."""
    return ctx.as_of - (2 * DAY if system == "crm" else 3 * DAY if system == "product" else 600)


def crm_events(ctx: Context, person: Person, record: SourceRecord) -> list[Event]:
    """Preferences kept on a CRM contact: email and voice marketing, post, rare ad objections."""
    rng, out = ctx.rng, []
    end = latest_capture(ctx, "crm")
    if record.email and rng.random() < 0.6:
        methods = CRM_OPT_IN_METHODS["strict" if person.country in DOUBLE_OPT_IN else "loose"]
        at = ctx.between(record.created, end)
        out.append(make(ctx, "crm", "email", "marketing", "opt_in", weighted(rng, methods), at))
    if record.phone and rng.random() < 0.25:
        status = "opt_in" if rng.random() < 0.6 else "opt_out"
        at = ctx.between(record.created, end)
        out.append(make(ctx, "crm", "voice", "marketing", status, "verbal_recorded", at))
    if rng.random() < 0.12:
        method = rng.choice(("written_signed", "web_form"))
        out.append(make(ctx, "crm", "post", "marketing", "opt_in", method, ctx.between(record.created, end)))
    if person.country in EU and rng.random() < 0.02:
        at = ctx.between(record.created, end)
        out.append(
            make(
                ctx, "crm", "paid_media", "advertising.third_party_sharing", "objection", "written_signed", at
            )
        )
    return out


def marketing_events(ctx: Context, person: Person, record: SourceRecord) -> list[Event]:
    """Newsletter sign-up (double opt-in where required), offers, partner offers, SMS keywords."""
    rng, out = ctx.rng, []
    end = latest_capture(ctx, "marketing")
    at = ctx.between(record.created, min(end, record.created + 30 * DAY))
    if rng.random() < 0.9:
        opted_in = None
        if person.country in DOUBLE_OPT_IN or rng.random() < 0.3:
            pending = make(
                ctx, "marketing", "email", "marketing.newsletter", "pending", "double_opt_in_pending", at
            )
            out.append(pending)
            if rng.random() < 0.85:
                confirmed = min(end, at + rng.randint(120, 3 * DAY))
                opted_in = make(
                    ctx,
                    "marketing",
                    "email",
                    "marketing.newsletter",
                    "opt_in",
                    "double_opt_in_confirmed",
                    confirmed,
                )
                opted_in.source = pending.source
        else:
            opted_in = make(ctx, "marketing", "email", "marketing.newsletter", "opt_in", "web_form", at)
        if opted_in is not None:
            out.append(opted_in)
            if rng.random() < 0.15 and opted_in.captured + DAY < end:
                later = ctx.between(opted_in.captured + DAY, end)
                out.append(
                    make(
                        ctx,
                        "marketing",
                        "email",
                        "marketing.newsletter",
                        "opt_out",
                        "unsubscribe_link",
                        later,
                    )
                )
    if rng.random() < 0.35:
        method = rng.choice(("preference_center", "web_form"))
        out.append(
            make(ctx, "marketing", "email", "marketing.offers", "opt_in", method, ctx.between(at, end))
        )
    if rng.random() < 0.10:
        when = ctx.between(at, end)
        partner = make(ctx, "marketing", "email", "marketing.partner_offers", "opt_in", "web_form", when)
        partner.expires = when + 365 * DAY
        out.append(partner)
    if record.phone and rng.random() < 0.2:
        start = ctx.between(at, end)
        out.append(make(ctx, "marketing", "sms", "marketing", "opt_in", "sms_keyword_start", start))
        if rng.random() < 0.25 and start + 3600 < end:
            stop = ctx.between(start + 3600, end)
            out.append(make(ctx, "marketing", "sms", "marketing", "opt_out", "sms_keyword_stop", stop))
    return out


def product_events(ctx: Context, person: Person, record: SourceRecord) -> list[Event]:
    """In-app toggles: transactional email, offers, ad sharing (expiring in the EU and UK), SMS."""
    rng, out = ctx.rng, []
    end = latest_capture(ctx, "product")
    signup = min(record.created + rng.randint(5, 600), end)
    if rng.random() < 0.7:
        out.append(make(ctx, "product", "email", "transactional", "opt_in", "in_app_toggle", signup))
    roll = rng.random()
    if roll < 0.45:
        status = "opt_in" if roll < 0.35 else "opt_out"
        at = ctx.between(signup, end)
        out.append(make(ctx, "product", "email", "marketing.offers", status, "in_app_toggle", at))
    roll = rng.random()
    if roll < 0.4:
        status = "opt_in" if roll < 0.3 else "opt_out"
        at = ctx.between(signup, end)
        ads = make(
            ctx, "product", "paid_media", "advertising.third_party_sharing", status, "in_app_toggle", at
        )
        if status == "opt_in" and person.country in DOUBLE_OPT_IN:
            ads.expires = at + 395 * DAY
        out.append(ads)
    if record.phone and rng.random() < 0.08:
        at = ctx.between(signup, end)
        out.append(make(ctx, "product", "sms", "marketing", "opt_in", "in_app_toggle", at))
    return out


BUILDERS = {"crm": crm_events, "marketing": marketing_events, "product": product_events}
