"""Safety on home and street visits: a visit's life and the rule that it is overdue. Pure, no I/O.

A staff member sets out with a planned end (and a colleague along, if any). A visit not ended by
its planned end plus the grace is overdue: detected once, and the team leader and the colleague
are alerted. Ending the visit (even after it was overdue) closes those alerts. Nothing about the
place or the citizen is kept: staff ids, the kind and the times only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from forlob_shared.errors import InvalidInput
from forlob_shared.events import PendingEvent
from forlob_shared.events.visits import VisitEnded, VisitKind, VisitOverdue, VisitStarted

# A visit planned to last longer than this is a mistake (a date typed wrong), not a visit.
LONGEST_VISIT = timedelta(hours=12)


@dataclass
class Visit:
    id: UUID
    org: str
    staff_id: str
    kind: VisitKind
    started_at: datetime
    planned_end: datetime
    overdue_from: datetime  # the planned end plus the grace the org had when the visit began
    colleague_id: str | None = None
    ended_at: datetime | None = None
    ended_by: str | None = None
    overdue_at: datetime | None = None  # when the sweep found it overdue (once)
    alerted: list[str] = field(default_factory=list)  # the staff ids alerted (or "unassigned")

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    def is_overdue(self, now: datetime) -> bool:
        """Not ended by its planned end plus grace, and not found overdue before."""
        return self.ended_at is None and self.overdue_at is None and self.overdue_from <= now

    def _event(self, data: VisitStarted | VisitEnded | VisitOverdue) -> PendingEvent:
        return PendingEvent(data=data, subject=str(self.id), provider_org=self.org)

    def started(self) -> PendingEvent:
        return self._event(
            VisitStarted(
                visit_id=self.id,
                provider_org=self.org,
                staff_id=self.staff_id,
                kind=self.kind,
                colleague_id=self.colleague_id,
                planned_end=self.planned_end,
                started_at=self.started_at,
            )
        )

    def end(self, by: str, now: datetime) -> PendingEvent | None:
        """End the visit; None if it already was (ending twice changes nothing)."""
        if self.ended_at is not None:
            return None
        self.ended_at = now
        self.ended_by = by
        return self._event(
            VisitEnded(
                visit_id=self.id,
                provider_org=self.org,
                staff_id=self.staff_id,
                ended_at=now,
                was_overdue=self.overdue_at is not None or self.overdue_from <= now,
            )
        )

    def mark_overdue(self, now: datetime) -> PendingEvent:
        self.overdue_at = now
        return self._event(
            VisitOverdue(
                visit_id=self.id,
                provider_org=self.org,
                staff_id=self.staff_id,
                colleague_id=self.colleague_id,
                planned_end=self.planned_end,
                detected_at=now,
            )
        )


def start_visit(
    *,
    org: str,
    staff_id: str,
    kind: VisitKind,
    planned_end: datetime,
    colleague_id: str | None,
    now: datetime,
    grace: timedelta,
) -> Visit:
    """A new visit, its planned end checked: in the future, and within a working day."""
    if planned_end.tzinfo is None:
        raise InvalidInput("planned_end needs a time zone (an offset or Z)", field="planned_end")
    if planned_end <= now:
        raise InvalidInput("planned_end must be in the future", field="planned_end")
    if planned_end - now > LONGEST_VISIT:
        raise InvalidInput(
            f"a visit is planned to last at most {int(LONGEST_VISIT.total_seconds() // 3600)} hours",
            field="planned_end",
        )
    colleague = (colleague_id or "").strip() or None
    if colleague == staff_id:
        raise InvalidInput("the colleague along is someone else", field="colleague_id")
    return Visit(
        id=uuid4(),
        org=org,
        staff_id=staff_id,
        kind=kind,
        started_at=now,
        planned_end=planned_end,
        overdue_from=planned_end + grace,
        colleague_id=colleague,
    )


def visit_alert_cause(visit_id: UUID, recipient: str) -> str:
    """One alert per visit and recipient, however often the sweep looks (and on any replica)."""
    return f"visit_overdue:{visit_id}:{recipient}"


def visit_alert_prefix(visit_id: UUID) -> str:
    return f"visit_overdue:{visit_id}:"
