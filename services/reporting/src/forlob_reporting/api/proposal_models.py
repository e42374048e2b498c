"""The answer of GET /figures/next-step-proposals: the next steps the provider proposed in the
period, per programme, by what became of them (docs/reporting.md, "Next steps proposed")."""

from __future__ import annotations

from pydantic import Field

from forlob_reporting.api.figure_models import Group, Table


class NextStepProposalsRow(Group):
    proposals: int = Field(description="next steps proposed on a day in the period")
    accepted: int = Field(description="of those, referred on as proposed")
    declined: int = Field(description="of those, declined by the referring caseworker")
    declined_by_reason: dict[str, int] = Field(
        description="the declined by coded reason: another_step_planned, participant_not_ready, "
        "not_the_right_programme, no_longer_relevant, other"
    )
    withdrawn: int = Field(description="of those, withdrawn by the provider")
    open: int = Field(description="of those, not decided yet")
    median_days_to_decision: float | None = Field(description="over the decided: local days from proposal to decision")


class NextStepProposalsOut(Table):
    rows: list[NextStepProposalsRow]
