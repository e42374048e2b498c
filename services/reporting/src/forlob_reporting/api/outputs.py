"""Charts of the figures and the attendance statement for a closing note."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from forlob_reporting.api import charts
from forlob_reporting.api import figure_models as out
from forlob_reporting.api.deps import CsvLanguage, Format, PeriodQuery, ScopeQuery, StatementReader, UoW
from forlob_reporting.api.tabular import csv_response
from forlob_reporting.application import figures as app

router = APIRouter(tags=["charts and statements"])

ChartName = Literal["waiting-list", "occupancy", "attendance", "outcomes"]
ChartFormat = Literal["png", "svg"]
# The language of a chart's words (the web asks in its reader's); English when not given.
ChartLanguage = Literal["da", "sv", "en"]
# The charts are images: say so, so clients and the schema agree.
IMAGE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "image/png": {"schema": {"type": "string", "format": "binary"}},
            "image/svg+xml": {"schema": {"type": "string"}},
        }
    }
}


def _image(data: bytes, fmt: str) -> Response:
    return Response(data, media_type=charts.MEDIA_TYPES[fmt])


@router.get(
    "/charts/{name}.{fmt}",
    response_class=Response,
    responses=IMAGE,
    summary="A chart of the figures: waiting-list, occupancy, attendance, outcomes",
)
async def get_chart(
    name: ChartName,
    fmt: ChartFormat,
    scope: ScopeQuery,
    period: PeriodQuery,
    uow: UoW,
    lang: ChartLanguage = charts.CHART_LANGUAGE,
) -> Response:
    if name == "outcomes":
        rows = await app.figures(uow, scope, period)
        return _image(await run_in_threadpool(charts.outcomes_chart, rows, fmt, lang), fmt)
    series = {"waiting-list": "waiting-list", "occupancy": "occupancy", "attendance": "attendance-weeks"}[name]
    rows = await app.series(uow, scope, period, series)
    draw = {
        "waiting-list": charts.waiting_list_chart,
        "occupancy": charts.occupancy_chart,
        "attendance": charts.attendance_chart,
    }[name]
    return _image(await run_in_threadpool(draw, rows, fmt, lang), fmt)


@router.get(
    "/statements/{referral_id}",
    responses=out.json_or_csv(out.StatementOut),
    summary="The attendance statement for a participant's closing note",
)
async def get_statement(
    referral_id: UUID, principal: StatementReader, uow: UoW, format: Format = "json", lang: CsvLanguage = "en"
) -> Response:
    statement = await app.attendance_statement(uow, principal.org, referral_id)
    if format == "csv":
        rows: list[dict[str, Any]] = [
            {k: v for k, v in week.items() if k != "absences_by_reason"}
            | {f"absences.{reason}": n for reason, n in week["absences_by_reason"].items()}
            for week in statement["weeks"]
        ]
        return csv_response(rows, f"attendance-statement_{referral_id}", lang)
    return JSONResponse(jsonable_encoder(statement))


@router.get(
    "/statements/{referral_id}/chart.{fmt}",
    response_class=Response,
    responses=IMAGE,
    summary="The attendance statement as a chart",
)
async def get_statement_chart(
    referral_id: UUID,
    fmt: ChartFormat,
    principal: StatementReader,
    uow: UoW,
    lang: ChartLanguage = charts.CHART_LANGUAGE,
) -> Response:
    statement = await app.attendance_statement(uow, principal.org, referral_id)
    return _image(await run_in_threadpool(charts.statement_chart, statement, fmt, lang), fmt)
