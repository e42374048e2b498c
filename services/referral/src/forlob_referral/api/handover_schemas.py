"""Request and response bodies of referring on and the handover meeting."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from forlob_referral.api.schemas import CODE
from forlob_referral.application.handover import Handovers, HandoverView, NextStep, ReferOn
from forlob_referral.domain.handover import AttainmentCounts, Handover, HandoverState, MeetingParty
from forlob_referral.domain.records import Goal, GoalAttainment
from forlob_shared.events.employment import Recommendation, WorkAbilityArea
from forlob_shared.events.handover import DeclineReason, HandoverRelation
from forlob_shared.http.inputs import AwareMoment, Day

StaffId = Annotated[str, Field(pattern=r"^[A-Za-z0-9._@-]{1,64}$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NextStepIn(_In):
    programme_code: str = Field(pattern=CODE, examples=["RCA-UDV-13"])
    provider_org: str = Field(pattern=CODE, examples=["rca-aalborg"])
    relation: HandoverRelation = Field(
        description="overlap: the next starts on a day of this course; sequence: after its last day"
    )
    planned_start: Day = Field(description="the next programme's intake day the next step starts on")

    def step(self) -> NextStep:
        return NextStep(self.programme_code, self.provider_org, self.relation, self.planned_start)


class ProposalIn(NextStepIn):
    """The coordinator's proposal, with each goal's and sub-goal's attainment so far (optional; the
    closing note's is used once written). Only the counts are handed over, never the words."""

    goal_attainment: list[GoalAttainment] | None = Field(default=None, max_length=40)


class ReferOnIn(_In):
    """What the caseworker writes for the next referral, as in any referral."""

    goals: list[Goal] = Field(default_factory=list, max_length=20)
    wished_weekly_hours: float | None = Field(default=None, gt=0, le=60)
    legal_basis: str | None = Field(default=None, pattern=CODE, description="default: the course's")
    legal_context: str | None = Field(default=None, pattern=CODE)

    def command(self) -> ReferOn:
        return ReferOn(tuple(self.goals), self.wished_weekly_hours, self.legal_basis, self.legal_context)


class DirectReferOnIn(NextStepIn, ReferOnIn):
    """The caseworker refers on directly: the next step and the next referral's own words."""


class DeclineIn(_In):
    """The caseworker declines the provider's proposal: why, as a code (no free text crosses)."""

    reason: DeclineReason = Field(examples=["participant_not_ready"])


class MeetingPartyIn(_In):
    org: str = Field(pattern=CODE, examples=["jobcenter-aalborg"])
    staff_id: StaffId


class MeetingIn(_In):
    starts_at: AwareMoment = Field(examples=["2026-08-20T10:00:00+02:00"])
    participants: list[MeetingPartyIn] = Field(
        min_length=1, max_length=12, description="who takes part: each organisation of the handover at least once"
    )

    def parties(self) -> tuple[MeetingParty, ...]:
        return tuple(MeetingParty(p.org, p.staff_id) for p in self.participants)


class AttainmentOut(BaseModel):
    achieved: int
    partly_achieved: int
    not_achieved: int

    @classmethod
    def of(cls, counts: AttainmentCounts | None) -> AttainmentOut | None:
        if counts is None:
            return None
        return cls(achieved=counts.achieved, partly_achieved=counts.partly_achieved, not_achieved=counts.not_achieved)


class HandoverFactsOut(BaseModel):
    """What the next provider is told of the course before: codes, counts and dates."""

    programme_code: str
    provider_org: str
    start_date: date | None
    planned_end_date: date
    goals: AttainmentOut | None = Field(description="goals achieved, partly, not; none: not assessed")
    sub_goals: AttainmentOut | None
    recommendation: Recommendation | None = Field(description="a clarification course's result, if given")
    resources: list[WorkAbilityArea]
    challenges: list[WorkAbilityArea]


class MeetingOut(BaseModel):
    starts_at: datetime = Field(description="in the course's zone")
    timezone: str
    participants: list[MeetingPartyIn]
    held_at: datetime | None


class DecisionOut(BaseModel):
    """How a proposal was decided without a referral: declined by the caseworker or withdrawn by
    the provider; when, and the declining reason's code."""

    decided_at: datetime
    decline_reason: DeclineReason | None = Field(description="set when the caseworker declined")


class HandoverOut(BaseModel):
    id: UUID
    state: HandoverState
    referral_id: UUID | None = Field(description="the course referred on from; shown to its own parties only")
    referring_org: str
    provider_org: str
    next_programme_code: str
    next_provider_org: str
    next_referral_id: UUID | None
    relation: HandoverRelation
    planned_start: date
    proposed_by_provider: bool
    created_at: datetime
    referred_at: datetime | None
    facts: HandoverFactsOut
    meeting: MeetingOut | None
    decision: DecisionOut | None = Field(description="a proposal declined or withdrawn; none otherwise")

    @classmethod
    def of(cls, handover: Handover, viewer_org: str) -> HandoverOut:
        f, m = handover.facts, handover.meeting
        # The next provider (another organisation) learns the course's facts, not its referral.
        own = viewer_org in (handover.referring_org, handover.provider_org)
        meeting = None
        if m is not None:
            meeting = MeetingOut(
                starts_at=m.starts_at.astimezone(ZoneInfo(m.timezone)),
                timezone=m.timezone,
                participants=[MeetingPartyIn(org=p.org, staff_id=p.staff_id) for p in m.parties],
                held_at=m.held_at,
            )
        return cls(
            id=handover.id,
            state=handover.state,
            referral_id=handover.referral_id if own else None,
            referring_org=handover.referring_org,
            provider_org=handover.provider_org,
            next_programme_code=handover.next_programme_code,
            next_provider_org=handover.next_provider_org,
            next_referral_id=handover.next_referral_id,
            relation=handover.relation,
            planned_start=handover.planned_start,
            proposed_by_provider=handover.proposed_by_provider,
            created_at=handover.created_at,
            referred_at=handover.referred_at,
            facts=HandoverFactsOut(
                programme_code=f.programme_code,
                provider_org=f.provider_org,
                start_date=f.start_date,
                planned_end_date=f.planned_end_date,
                goals=AttainmentOut.of(f.goals),
                sub_goals=AttainmentOut.of(f.sub_goals),
                recommendation=f.recommendation,
                resources=list(f.resources),
                challenges=list(f.challenges),
            ),
            meeting=meeting,
            decision=DecisionOut(decided_at=handover.decided_at, decline_reason=handover.decline_reason)
            if handover.decided_at is not None
            else None,
        )

    @classmethod
    def of_view(cls, view: HandoverView, viewer_org: str) -> HandoverOut:
        return cls.of(view.handover, viewer_org)


class HandoversOut(BaseModel):
    onward: list[HandoverOut] = Field(description="the next steps from this course")
    came_from: HandoverOut | None = Field(description="the handover this referral came from, if any")

    @classmethod
    def of(cls, found: Handovers, viewer_org: str) -> HandoversOut:
        return cls(
            onward=[HandoverOut.of(h, viewer_org) for h in found.onward],
            came_from=HandoverOut.of(found.came_from, viewer_org) if found.came_from else None,
        )
