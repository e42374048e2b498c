"""The figures, their time series and the IPS fidelity items, as JSON or CSV."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from forlob_reporting.api import figure_models as out
from forlob_reporting.api.deps import CsvLanguage, FigureReader, Format, PeriodQuery, ScopeQuery, UoW
from forlob_reporting.api.proposal_models import NextStepProposalsOut
from forlob_reporting.api.tabular import CsvLang, csv_response
from forlob_reporting.application import figures as app
from forlob_reporting.domain.figures import Period
from forlob_shared.errors import InvalidInput
from forlob_shared.http.inputs import Day

router = APIRouter(prefix="/figures", tags=["figures"])


class ReferralsReceivedRow(BaseModel):
    programme_code: str
    provider_org: str
    referring_org: str
    count: int


class ReferralsReceivedOut(BaseModel):
    org: str
    start: date | None
    end: date | None
    total: int
    rows: list[ReferralsReceivedRow]


@router.get("/referrals-received", summary="Referrals received per programme, for your organisation")
async def get_referrals_received(
    principal: FigureReader,
    uow: UoW,
    start: Annotated[Day | None, Query(alias="from", description="first day, local time")] = None,
    end: Annotated[Day | None, Query(alias="to", description="last day, inclusive")] = None,
) -> ReferralsReceivedOut:
    if start and end and end < start:
        raise InvalidInput("'to' lies before 'from'")
    period = Period(start or date.min, end or date.max)
    rows = await app.referrals_received(uow, app.Scope(principal.org), period)
    return ReferralsReceivedOut(
        org=principal.org,
        start=start,
        end=end,
        total=sum(r.count for r in rows),
        rows=[ReferralsReceivedRow(**r.__dict__) for r in rows],
    )


def _answer(
    org: str, period: Period, rows: list[dict[str, Any]], fmt: str, name: str, lang: CsvLang = "en"
) -> Response:
    if fmt == "csv":
        return csv_response(rows, f"{name}_{period.start}_{period.end}", lang)
    body = {"org": org, "from": period.start, "to": period.end, "rows": rows}
    return JSONResponse(jsonable_encoder(body))


@router.get(
    "",
    responses=out.json_or_csv(out.FiguresOut),
    summary="Every figure per provider and programme (or per referring organisation) for a period",
)
async def get_figures(
    scope: ScopeQuery, period: PeriodQuery, uow: UoW, format: Format = "json", lang: CsvLanguage = "en"
) -> Response:
    return _answer(scope.org, period, await app.figures(uow, scope, period), format, "figures", lang)


@router.get(
    "/waiting-list",
    responses=out.json_or_csv(out.WaitingListOut),
    summary="Waiting list per week: inflow, outflow, length at the week's end",
)
async def get_waiting_list(
    scope: ScopeQuery, period: PeriodQuery, uow: UoW, format: Format = "json", lang: CsvLanguage = "en"
) -> Response:
    return _answer(
        scope.org, period, await app.series(uow, scope, period, "waiting-list"), format, "waiting-list", lang
    )


@router.get("/occupancy", responses=out.json_or_csv(out.OccupancyOut), summary="Seats used and occupancy per day")
async def get_occupancy(
    scope: ScopeQuery, period: PeriodQuery, uow: UoW, format: Format = "json", lang: CsvLanguage = "en"
) -> Response:
    return _answer(scope.org, period, await app.series(uow, scope, period, "occupancy"), format, "occupancy", lang)


@router.get(
    "/attendance-weeks",
    responses=out.json_or_csv(out.AttendanceWeeksOut),
    summary="Agreed and attended hours and attendance rate per week",
)
async def get_attendance_weeks(
    scope: ScopeQuery, period: PeriodQuery, uow: UoW, format: Format = "json", lang: CsvLanguage = "en"
) -> Response:
    rows = await app.series(uow, scope, period, "attendance-weeks")
    return _answer(scope.org, period, rows, format, "attendance-weeks", lang)


@router.get(
    "/ips-fidelity",
    responses=out.json_or_csv(out.IpsFidelityOut),
    summary="The IPS fidelity items the records can show, beside the scale's thresholds",
)
async def get_ips_fidelity(
    scope: ScopeQuery, period: PeriodQuery, uow: UoW, format: Format = "json", lang: CsvLanguage = "en"
) -> Response:
    return _answer(scope.org, period, await app.ips_fidelity(uow, scope, period), format, "ips-fidelity", lang)


@router.get(
    "/clarification-results",
    responses=out.json_or_csv(out.ClarificationResultsOut),
    summary="Clarification courses' results by recommendation, and the evidence behind them",
)
async def get_clarification_results(
    scope: ScopeQuery, period: PeriodQuery, uow: UoW, format: Format = "json", lang: CsvLanguage = "en"
) -> Response:
    rows = await app.clarification_results(uow, scope, period)
    return _answer(scope.org, period, rows, format, "clarification-results", lang)


@router.get(
    "/handovers",
    responses=out.json_or_csv(out.HandoversOut),
    summary="Days without any programme between two steps, and the share of handovers with no gap",
)
async def get_handovers(
    scope: ScopeQuery,
    period: PeriodQuery,
    uow: UoW,
    per: Annotated[Literal["pair", "handover"], Query(description="one row per programme pair, or per handover")] = (
        "pair"
    ),
    format: Format = "json",
    lang: CsvLanguage = "en",
) -> Response:
    rows = await app.handovers(uow, scope, period, each=per == "handover")
    return _answer(scope.org, period, rows, format, "handovers", lang)


@router.get(
    "/next-step-proposals",
    responses=out.json_or_csv(NextStepProposalsOut),
    summary="Next steps the provider proposed: accepted, declined by reason, withdrawn, open, days to decision",
)
async def get_next_step_proposals(
    scope: ScopeQuery, period: PeriodQuery, uow: UoW, format: Format = "json", lang: CsvLanguage = "en"
) -> Response:
    rows = await app.next_step_proposals(uow, scope, period)
    return _answer(scope.org, period, rows, format, "next-step-proposals", lang)


@router.get(
    "/visits",
    responses=out.json_or_csv(out.VisitsOut),
    summary="Safety on visits, for your organisation: visits started, with a colleague, overdue",
)
async def get_visits(
    principal: FigureReader, period: PeriodQuery, uow: UoW, format: Format = "json", lang: CsvLanguage = "en"
) -> Response:
    return _answer(principal.org, period, await app.visit_safety(uow, principal.org, period), format, "visits", lang)
