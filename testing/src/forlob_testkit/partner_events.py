"""Partner events of one referral for tests of the kept feed and the state a partner reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID, uuid4

from forlob_shared import partner
from forlob_shared.events.common import Outcome
from forlob_shared.events.employment import Recommendation, SpellKind, SupportPhase, WorkAbilityArea
from forlob_shared.events.handover import HandoverRelation

NOON = datetime(2026, 11, 30, 12, tzinfo=UTC)


@dataclass(frozen=True)
class AReferral:
    """Builds the partner events of one referral of ``referring_org``."""

    referring_org: str = "jobcenter-aalborg"
    referral_id: UUID = field(default_factory=uuid4)
    participant_id: UUID = field(default_factory=uuid4)

    def _about(self) -> dict[str, Any]:
        return {
            "referral_id": self.referral_id,
            "participant_id": self.participant_id,
            "programme_code": "RCA-UDV-13",
            "referring_org": self.referring_org,
            "provider_org": "rca-aalborg",
        }

    def received(self) -> partner.ReferralReceived:
        return partner.ReferralReceived(**self._about(), received_at=NOON, legal_basis="LAB-32-1-2")

    def waitlisted(self, position: int = 3) -> partner.ReferralWaitlisted:
        return partner.ReferralWaitlisted(
            **self._about(), position=position, estimated_start=date(2027, 1, 4), decided_at=NOON
        )

    def accepted(self) -> partner.ReferralAccepted:
        return partner.ReferralAccepted(**self._about(), intake_date=date(2026, 11, 30), decided_at=NOON)

    def started(self, weekly_minutes: int = 1200) -> partner.CourseStarted:
        return partner.CourseStarted(
            **self._about(),
            start_date=date(2026, 11, 30),
            planned_end_date=date(2027, 2, 26),
            agreed_schedule=[partner.AgreedWindow(weekday=d, start=time(8), end=time(12)) for d in range(5)],
            agreed_weekly_minutes=weekly_minutes,
            timezone="Europe/Copenhagen",
            legal_basis="LAB-32-1-2",
            started_at=NOON,
        )

    def hours_changed(self, weekly_minutes: int) -> partner.AgreedHoursChanged:
        return partner.AgreedHoursChanged(
            **self._about(),
            effective_from=date(2026, 12, 7),
            agreed_schedule=[partner.AgreedWindow(weekday=d, start=time(8), end=time(14)) for d in range(4)],
            agreed_weekly_minutes=weekly_minutes,
            previous_weekly_minutes=1200,
            changed_at=NOON,
        )

    def unexplained(self, absence_id: UUID) -> partner.AbsenceUnexplained:
        return partner.AbsenceUnexplained(
            **self._about(),
            absence_id=absence_id,
            expected_at=NOON,
            minutes_missed=136,
            agreed_minutes=240,
            contact_attempts=1,
            reason="unexplained",
            deadline_at=NOON,
            notified_at=NOON,
        )

    def reestablished(self, absence_id: UUID) -> partner.ContactReestablished:
        return partner.ContactReestablished(
            **self._about(), absence_id=absence_id, how="reached", reestablished_at=NOON
        )

    def breached(self) -> partner.AgreementBreached:
        return partner.AgreementBreached(
            **self._about(),
            breach_id=uuid4(),
            rule="consecutive_days",
            unexcused_absences=2,
            window_first_day=date(2026, 12, 1),
            window_last_day=date(2026, 12, 2),
            detected_at=NOON,
        )

    def rescheduled(self, planned_end: date) -> partner.CourseRescheduled:
        return partner.CourseRescheduled(
            **self._about(),
            change="extended",
            previous_end_date=date(2027, 2, 26),
            planned_end_date=planned_end,
            changed_at=NOON,
        )

    def ended(self) -> partner.CourseEnded:
        return partner.CourseEnded(
            **self._about(),
            start_date=date(2026, 11, 30),
            end_date=date(2027, 3, 26),
            outcome=Outcome.ORDINARY_EMPLOYMENT,
            first_job_date=date(2027, 4, 1),
            ended_at=NOON,
        )

    def job_started(self, spell_id: UUID, start: date, weekly_hours: float = 15.0) -> partner.JobStarted:
        return partner.JobStarted(
            **self._about(),
            spell_id=spell_id,
            kind=SpellKind.ORDINARY,
            start_date=start,
            weekly_hours=weekly_hours,
            recorded_at=NOON,
        )

    def job_ended(self, spell_id: UUID, start: date, end: date) -> partner.JobEnded:
        return partner.JobEnded(
            **self._about(),
            spell_id=spell_id,
            kind=SpellKind.ORDINARY,
            start_date=start,
            end_date=end,
            recorded_at=NOON,
        )

    def phase_changed(self, phase: SupportPhase, since: date, spell_id: UUID | None = None) -> partner.PhaseChanged:
        previous = (
            SupportPhase.SEARCH if phase is SupportPhase.EMPLOYED_WITH_SUPPORT else SupportPhase.EMPLOYED_WITH_SUPPORT
        )
        return partner.PhaseChanged(
            **self._about(), phase=phase, previous_phase=previous, since=since, spell_id=spell_id, changed_at=NOON
        )

    def clarification_result(self, recommendation: Recommendation) -> partner.ClarificationResultGiven:
        return partner.ClarificationResultGiven(
            **self._about(),
            recommendation=recommendation,
            resources=[WorkAbilityArea.WORK_EXPERIENCE],
            challenges=[WorkAbilityArea.HEALTH, WorkAbilityArea.ADAPTABILITY],
            meetings_held=11,
            work_trials=2,
            specialist_assessments=1,
            result_date=date(2027, 2, 19),
            recorded_at=NOON,
        )

    def next_step_proposed(self, proposal_id: UUID, code: str = "RCA-JOB-8") -> partner.NextStepProposed:
        return partner.NextStepProposed(
            **self._about(),
            proposal_id=proposal_id,
            next_programme_code=code,
            next_provider_org="rca-aalborg",
            relation=HandoverRelation.SEQUENCE,
            planned_start=date(2027, 3, 1),
            previous_planned_end=date(2027, 2, 26),
            proposed_at=NOON,
        )

    def next_step_withdrawn(self, proposal_id: UUID) -> partner.NextStepWithdrawn:
        return partner.NextStepWithdrawn(**self._about(), proposal_id=proposal_id, withdrawn_at=NOON)

    def next_step_declined(self, proposal_id: UUID) -> partner.NextStepDeclined:
        return partner.NextStepDeclined(**self._about(), proposal_id=proposal_id, declined_at=NOON)

    def next_step_planned(self, next_referral_id: UUID, code: str = "RCA-JOB-8") -> partner.NextStepPlanned:
        return partner.NextStepPlanned(
            **self._about(),
            next_referral_id=next_referral_id,
            next_programme_code=code,
            next_provider_org="rca-aalborg",
            relation=HandoverRelation.SEQUENCE,
            planned_start=date(2027, 3, 1),
            previous_planned_end=date(2027, 2, 26),
            referred_at=NOON,
        )
