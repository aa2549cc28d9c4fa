"""Properties of the evaluator over random histories: opt-outs only restrict, arrival order never matters."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consent.evaluator import decide
from consent.facts import ConsentFact
from tests.consent.builders import (
    EMAIL,
    EMAIL2,
    PHONE,
    REFERENCE,
    T0,
    customer,
    dnc_request,
    gpc,
    registry,
    relationship,
    suppression,
)

AT = T0 + timedelta(days=30)
CHANNELS = ["email", "sms", "voice", "paid_media"]
PURPOSES = [
    "marketing",
    "marketing.newsletter",
    "marketing.offers",
    "advertising.third_party_sharing",
    "transactional",
]
METHODS = [
    "web_form",
    "import",
    "sales_rep_entry",
    "double_opt_in_confirmed",
    "unsubscribe_link",
    "in_app_toggle",
]
SOURCES = ["crm", "marketing", "product"]
EVIDENCE = [None, {"capture_source": "form"}, {"capture_source": "app", "gpc_conflict_acknowledged": True}]

# Minutes within 40 days, so clock-skew windows, ties and expiry all come up.
instants = st.integers(min_value=0, max_value=40 * 24 * 60).map(lambda m: T0 + timedelta(minutes=m))
near = st.integers(min_value=0, max_value=12).map(lambda m: T0 + timedelta(days=10, minutes=m))


@st.composite
def records(draw, statuses=("opt_in", "opt_out", "objection", "pending")):
    # Weighted towards one slot (email marketing) so records collide: ties, skew windows, re-consents.
    scope = draw(st.sampled_from(["person", "channel", "channel", "contact_point"]))
    channel = draw(st.sampled_from(["email", "email", *CHANNELS]))
    point = {"email": EMAIL, "paid_media": EMAIL}.get(channel, PHONE)
    captured = draw(st.one_of(near, instants))
    expires = draw(st.one_of(st.none(), instants))
    return ConsentFact(
        id=f"r{draw(st.integers(0, 10**6))}",
        source=draw(st.sampled_from(SOURCES[:2])),
        channel=None if scope == "person" else channel,
        purpose=draw(st.sampled_from(["marketing", "marketing", *PURPOSES[:4]])),
        status=draw(st.sampled_from(statuses)),
        method=draw(st.sampled_from(["web_form", *METHODS])),
        scope=scope,
        captured_at=captured,
        received_at=captured + timedelta(hours=draw(st.integers(0, 500))),
        contact_point=point if scope == "contact_point" else None,
        expires_at=expires,
        evidence=draw(st.sampled_from(EVIDENCE)),
        own=draw(st.sampled_from([True, None])) if scope == "contact_point" else True,
    )


@st.composite
def histories(draw):
    consents = draw(st.lists(records(), max_size=8, unique_by=lambda r: r.id))
    extras = {
        "relationships": draw(
            st.lists(
                st.builds(relationship, st.sampled_from(["purchase", "inquiry"]), instants, st.booleans()),
                max_size=2,
            )
        ),
        "gpc_signals": draw(st.lists(st.builds(gpc, instants), max_size=1)),
        "suppressions": draw(
            st.lists(
                st.builds(
                    suppression, st.sampled_from(["hard_bounce", "soft_bounce"]), st.just(EMAIL), at=instants
                ),
                max_size=1,
            )
        ),
        "dnc_requests": draw(
            st.lists(st.builds(dnc_request, st.sampled_from([PHONE, None]), at=instants), max_size=1)
        ),
        "registry_snapshots": draw(
            st.lists(st.builds(registry, st.sampled_from([(), (PHONE,)]), at=instants), max_size=2)
        ),
    }
    jurisdiction = draw(st.sampled_from(["DE", "GB", "US-CA", "US-TX", "CA-ON", "BR"]))
    return customer(jurisdiction, emails=(EMAIL, EMAIL2), consents=consents, **extras)


queries = st.tuples(
    st.sampled_from(CHANNELS), st.sampled_from(PURPOSES), st.sampled_from([None, EMAIL, PHONE])
)


def _decide(facts, query):
    channel, purpose, point = query
    if point is not None and point not in facts.points(REFERENCE.channels[channel].contact_point_kind):
        point = None
    return decide(facts, REFERENCE, channel=channel, purpose=purpose, contact_point=point, at=AT)


FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(histories(), records(statuses=("opt_out", "objection")), queries)
def test_adding_an_opt_out_never_turns_a_denial_into_an_allow(facts, opt_out, query):
    before = _decide(facts, query)
    after = _decide(replace(facts, consents=(*facts.consents, replace(opt_out, id="added"))), query)
    assert before.allowed or not after.allowed, (before.reason, after.reason)


@FAST
@given(
    histories(),
    queries,
    st.randoms(use_true_random=False),
    st.lists(st.integers(0, 10**4), min_size=8, max_size=8),
)
def test_arrival_order_never_changes_a_decision(facts, query, rnd, delays):
    shuffled = list(facts.consents)
    rnd.shuffle(shuffled)
    arrived = tuple(
        replace(r, received_at=r.captured_at + timedelta(minutes=delays[i % len(delays)]))
        for i, r in enumerate(shuffled)
    )
    first, second = _decide(facts, query), _decide(replace(facts, consents=arrived), query)
    assert (first.allowed, first.reason, first.contact_point) == (
        second.allowed,
        second.reason,
        second.contact_point,
    )
    assert (first.decided_by and first.decided_by.id) == (second.decided_by and second.decided_by.id)
    assert first.valid_until == second.valid_until


@FAST
@given(histories(), queries, st.floats(min_value=0, max_value=1))
def test_decision_holds_until_valid_until(facts, query, fraction):
    result = _decide(facts, query)
    end = result.valid_until or AT + timedelta(days=3650)
    assert end > AT
    # Anywhere between the query instant and the boundary, time alone has changed nothing.
    later = AT + (end - AT - timedelta(microseconds=1)) * fraction
    channel, purpose, point = query
    again = decide(facts, REFERENCE, channel=channel, purpose=purpose, contact_point=result.contact_point if point else None,
                   at=later)  # fmt: skip
    assert (again.allowed, again.reason, again.contact_point) == (
        result.allowed,
        result.reason,
        result.contact_point,
    )
