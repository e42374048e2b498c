"""The outreach case's phases as a state machine, and its contact plan: pure rules.

contact_creation ──▶ relationship ──▶ bridging ──▶ closed
(relationship may fall back to contact_creation, bridging to relationship; every open phase
may close, with a reason; closed is final)
"""

from __future__ import annotations

from datetime import date, timedelta

from forlob_shared.errors import Conflict, InvalidInput
from forlob_shared.events.outreach import OutreachCloseReason, OutreachPhase

Phase = OutreachPhase
MAX_PLAN_DAYS = 92

# The state machine: from each phase, where the case may go. Closed is final.
TRANSITIONS: dict[Phase, frozenset[Phase]] = {
    Phase.CONTACT_CREATION: frozenset({Phase.RELATIONSHIP, Phase.BRIDGING, Phase.CLOSED}),
    Phase.RELATIONSHIP: frozenset({Phase.CONTACT_CREATION, Phase.BRIDGING, Phase.CLOSED}),  # contact lost
    Phase.BRIDGING: frozenset({Phase.RELATIONSHIP, Phase.CLOSED}),  # the handover fell through
    Phase.CLOSED: frozenset(),
}


def contact_plan(attempted_on: date, within_days: int | None, by: date | None) -> date | None:
    """The next attempt's day: within N days of this one, or by a date; neither means no plan."""
    if within_days is not None and by is not None:
        raise InvalidInput("give the next attempt either within N days or by a date, not both", field="next_attempt")
    if within_days is not None:
        if not 1 <= within_days <= MAX_PLAN_DAYS:
            raise InvalidInput(f"the next attempt must be within 1 to {MAX_PLAN_DAYS} days", field="next_within_days")
        return attempted_on + timedelta(days=within_days)
    if by is not None:
        if by < attempted_on:
            raise InvalidInput("the next attempt cannot lie before this one", field="next_attempt_by")
        if by > attempted_on + timedelta(days=MAX_PLAN_DAYS):
            raise InvalidInput(f"plan the next attempt within {MAX_PLAN_DAYS} days", field="next_attempt_by")
    return by


def check_transition(
    current: Phase, target: Phase, close_reason: OutreachCloseReason | None, helped_on_to: str | None
) -> None:
    """Raise unless ``current`` may move to ``target`` with this reason; pure."""
    if target is current:
        raise Conflict(f"the case is already in {current.value}", current_state=current.value)
    allowed = TRANSITIONS[current]
    if target not in allowed:
        raise Conflict(
            f"a case in {current.value} cannot move to {target.value}",
            current_state=current.value,
            allowed_to=sorted(p.value for p in allowed),
        )
    if target is Phase.CLOSED:
        if close_reason is None:
            raise InvalidInput("say why the case closes (close_reason)", field="close_reason")
        if close_reason is OutreachCloseReason.NOT_IN_TARGET_GROUP and not (helped_on_to or "").strip():
            raise InvalidInput(
                "not in the target group: say who the person was helped on to (helped_on_to)", field="helped_on_to"
            )
    elif close_reason is not None or helped_on_to:
        raise InvalidInput("a close reason belongs to closing the case only", field="close_reason")
