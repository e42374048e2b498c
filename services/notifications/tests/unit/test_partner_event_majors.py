"""A new major of an internal event does not change what a partner on v1 receives: the partner
contract is translated from the internal types it names (partners/translate.py), its own types
keep their version, and a v2 internal event it does not name translates to nothing, so the
partner's events still come from the v1 messages notifications consumes during the change."""

from __future__ import annotations

from forlob_notifications.partners.translate import milestones, results
from forlob_testkit.event_majors import fact_noted


def test_a_v2_internal_event_adds_nothing_to_the_partner_feed() -> None:
    v2 = fact_noted(45).data
    assert milestones(v2) == []
    assert results(v2) == []
