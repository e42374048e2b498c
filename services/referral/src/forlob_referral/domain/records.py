"""What people write about a participant: goals, the development plan and the closing note.

These are personal data (free text about a person's health and circumstances): they live only
in this service, never in an event, and are erased with the name and identity number when the
retention period of an ended course runs out.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from forlob_shared.errors import InvalidInput

Text = Field(min_length=1, max_length=4000)


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Goal(_Record):
    text: str = Field(min_length=1, max_length=500, examples=["Stable attendance"])
    sub_goals: list[str] = Field(default_factory=list, max_length=20, examples=[["Arrive by 08:00 four days a week"]])


class DevelopmentPlan(_Record):
    """The start conversation's outcome besides the schedule: workshop and plan goals."""

    workshop: str | None = Field(default=None, max_length=200, examples=["Wood workshop"])
    goals: list[Goal] = Field(default_factory=list, max_length=20)
    companion_present: bool = False


class Attainment(StrEnum):
    ACHIEVED = "achieved"
    PARTLY = "partly_achieved"
    NOT_ACHIEVED = "not_achieved"


class SubGoalAttainment(_Record):
    sub_goal: str = Field(min_length=1, max_length=500, description="the sub-goal's text, as in the referral")
    attainment: Attainment
    comment: str | None = Field(default=None, max_length=4000)


class GoalAttainment(_Record):
    goal: str = Field(min_length=1, max_length=500, description="the goal's text, as in the referral")
    attainment: Attainment
    comment: str | None = Field(default=None, max_length=4000)
    sub_goals: list[SubGoalAttainment] = Field(
        default_factory=list, max_length=20, description="one per sub-goal of the goal in the referral, same scale"
    )


class Specialty(StrEnum):
    PHYSIOTHERAPIST = "physiotherapist"
    PSYCHOLOGIST = "psychologist"
    PHYSICIAN = "physician"
    OTHER = "other"


class SpecialistNote(_Record):
    specialty: Specialty
    author: str = Field(min_length=1, max_length=200)
    note: str = Text


class ClosingNote(_Record):
    """The afslutningsnotat: the course, the participant's resources and possibilities."""

    summary: str = Text
    resources: str = Text
    development_possibilities: str = Text
    goal_attainment: list[GoalAttainment] = Field(max_length=40)
    specialist_notes: list[SpecialistNote] = Field(default_factory=list, max_length=20)
    next_step: str | None = Field(default=None, max_length=4000, description="the handover to what comes next")

    def check_covers(self, goals: list[Goal]) -> None:
        """One attainment per goal and per sub-goal of the referral, none for one it did not have."""
        check_attainment_covers(self.goal_attainment, goals, "closing_note.goal_attainment")


def check_attainment_covers(attainment: Sequence[GoalAttainment], goals: Sequence[Goal], field: str) -> None:
    """One attainment per goal and per sub-goal of the referral, none for one it did not have."""
    _check_once(
        [g.text for g in goals],
        [a.goal for a in attainment],
        "give the attainment of each of the referral's goals exactly once",
        field,
    )
    sub_goals = {g.text: g.sub_goals for g in goals}
    for i, attained in enumerate(attainment):
        _check_once(
            sub_goals[attained.goal],
            [s.sub_goal for s in attained.sub_goals],
            f"give the attainment of each sub-goal of the goal {attained.goal!r} exactly once",
            f"{field}.{i}.sub_goals",
        )


def _check_once(wanted: list[str], given: list[str], message: str, field: str) -> None:
    missing = [g for g in wanted if g not in given]
    unknown = [g for g in given if g not in wanted]
    if missing or unknown or len(given) != len(set(given)):
        raise InvalidInput(message, field=field, missing=missing, unknown=unknown)
