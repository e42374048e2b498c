from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import Depends, Query

from forlob_reporting.application.figures import Scope
from forlob_reporting.db.uow import ReportingUnitOfWork
from forlob_reporting.domain.figures import Period
from forlob_reporting.domain.projection import local_date
from forlob_reporting.runtime import ReportingRuntime
from forlob_reporting.settings import ReportingSettings
from forlob_shared.errors import InvalidInput
from forlob_shared.http.auth import Principal, requires
from forlob_shared.http.deps import runtime_dependency, unit_of_work
from forlob_shared.http.inputs import Day

DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366

# Who may read what (docs/reporting.md; the table per route in docs/security.md). The figures are
# for those who steer: the provider's coordinators and team leaders, the jobcentre's caseworkers,
# an organisation's admin. A participant's attendance statement is for those who write or read
# the closing note and those who meet the participant.
FIGURE_ROLES = ("admin", "caseworker", "coordinator", "team_leader")
STATEMENT_ROLES = ("caseworker", "contact_person", "coordinator", "team_leader", "workshop_lead")
FigureReader = Annotated[Principal, requires(*FIGURE_ROLES)]
StatementReader = Annotated[Principal, requires(*STATEMENT_ROLES)]


Runtime = Annotated[ReportingRuntime, Depends(runtime_dependency(ReportingUnitOfWork, ReportingSettings, type(None)))]
UoW = Annotated[ReportingUnitOfWork, Depends(unit_of_work(ReportingUnitOfWork))]


def _period(
    runtime: Runtime,
    start: Annotated[
        Day | None, Query(alias="from", description="first day (local), default 'to' minus 89 days")
    ] = None,
    end: Annotated[Day | None, Query(alias="to", description="last day (local, inclusive), default today")] = None,
) -> Period:
    end = end or local_date(runtime.clock.now())
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        raise InvalidInput("'to' lies before 'from'")
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput(f"a period spans at most {MAX_DAYS} days")
    return Period(start, end)


PeriodQuery = Annotated[Period, Depends(_period)]


def _scope(
    principal: FigureReader,
    programme: Annotated[str | None, Query(min_length=1, max_length=100, description="one programme code")] = None,
    by: Annotated[Literal["programme", "referring_org"], Query(description="split per referring organisation")] = (
        "programme"
    ),
) -> Scope:
    return Scope(principal.org, programme, by_referring_org=by == "referring_org")


ScopeQuery = Annotated[Scope, Depends(_scope)]
Format = Annotated[Literal["json", "csv"], Query(description="json (default) or csv")]
CsvLanguage = Annotated[
    Literal["da", "sv", "en"],
    Query(
        alias="lang",
        description="the CSV's conventions: da and sv separate cells with ';' and write decimal commas, "
        "en (default) uses ',' and '.'",
    ),
]
