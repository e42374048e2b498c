"""CSV, charts and the attendance statement; organisation scoping and bad requests."""

from __future__ import annotations

import csv
import io
import struct
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Any

import pytest

from forlob_reporting.api import charts
from forlob_reporting.main import spec as reporting_spec
from forlob_testkit.auth import auth as bearer
from forlob_testkit.reporting.cohort import Cohort, build_cohort

PERIOD = {"from": "2025-01-01", "to": "2026-11-20"}


def auth(org: str) -> dict[str, str]:
    return bearer(org, "coordinator", staff="s-1")


PROVIDER, JOBCENTRE, STRANGER = auth("rca-aalborg"), auth("jobcenter-aalborg"), auth("jobcenter-vejle")


@pytest.fixture
async def reporting(make_database: Any, run_service: Any, publish: Any, mix: Any, inbox_reaches: Any) -> Any:
    cohort = build_cohort(40, seed=21, days_share=0.4)
    async with run_service(reporting_spec(), await make_database(reporting_spec())) as service:
        await publish(mix(cohort.events))
        await inbox_reaches(service.runtime.engine, len(cohort.events))
        yield service, cohort


def parse_csv(response: Any) -> list[dict[str, str]]:
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM a spreadsheet needs to read UTF-8
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def flatten(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in row.items():
        if isinstance(v, dict):
            out.update(flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def read_back(text: str, like: Any) -> Any:
    """A CSV cell read back as the type of the JSON value it stands for."""
    if like is None:
        return None if text == "" else text
    if isinstance(like, bool):
        return text == "true"
    if isinstance(like, int):
        return int(text)
    if isinstance(like, float):
        return float(text)
    return text


async def test_outputs(reporting: Any) -> None:
    """One published cohort, every output (each check is its own function below)."""
    for path in ("/figures", "/figures/waiting-list", "/figures/occupancy", "/figures/attendance-weeks"):
        await csv_round_trips_to_the_json_figures(reporting, path)
    for name in ("waiting-list", "occupancy", "attendance", "outcomes"):
        await charts_are_valid_png_and_svg_of_the_stated_size(reporting, name)
    await the_attendance_statement_for_a_closing_note(reporting)
    await every_figure_is_scoped_to_the_callers_organisation(reporting)


async def csv_round_trips_to_the_json_figures(reporting: Any, path: str) -> None:
    service, _ = reporting
    as_json = (await service.client.get(path, params=PERIOD, headers=PROVIDER)).json()["rows"]
    rows = parse_csv(await service.client.get(path, params={**PERIOD, "format": "csv"}, headers=PROVIDER))
    assert len(rows) == len(as_json) > 0
    for row, expected in zip(rows, as_json, strict=True):
        flat = flatten(expected)
        assert set(row) >= set(flat)
        for column, value in flat.items():
            assert read_back(row[column], value) == value, column


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def charts_are_valid_png_and_svg_of_the_stated_size(reporting: Any, name: str) -> None:
    service, _ = reporting
    png = await service.client.get(f"/charts/{name}.png", params=PERIOD, headers=PROVIDER)
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert png_size(png.content) == (800, 450)
    svg = await service.client.get(f"/charts/{name}.svg", params=PERIOD, headers=PROVIDER)
    assert svg.headers["content-type"] == "image/svg+xml"
    root = ET.fromstring(svg.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (root.get("width"), root.get("height")) == ("576pt", "324pt")
    assert len(svg.content) > 5_000  # something was drawn
    # The words are text in the reader's language (the web asks in its page's); English unasked.
    title = charts.WORDS[CHART_TITLES[name]]
    assert title.en in _svg_words(svg.content)
    for lang in ("da", "sv", "en"):
        asked = await service.client.get(f"/charts/{name}.svg", params={**PERIOD, "lang": lang}, headers=PROVIDER)
        assert asked.status_code == 200
        words = _svg_words(asked.content)
        assert title.in_language(lang) in words
        assert [other for other in ("da", "sv", "en") if other != lang and title.in_language(other) in words] == []


CHART_TITLES = {
    "waiting-list": "waiting_list.title",
    "occupancy": "occupancy.title",
    "attendance": "attendance.title",
    "outcomes": "outcomes.title",
}


def _svg_words(svg: bytes) -> list[str]:
    return [text.strip() for text in ET.fromstring(svg).itertext() if text.strip()]


def _with_days(cohort: Cohort) -> Any:
    return next(r for r in cohort.referrals if r.days_attended and r.end_date and len(r.weeks) >= 8)


async def the_attendance_statement_for_a_closing_note(reporting: Any) -> None:
    service, cohort = reporting
    r = _with_days(cohort)
    headers = auth(r.programme.provider_org)
    statement = (await service.client.get(f"/statements/{r.referral_id}", headers=headers)).json()
    assert [w["week_start"] for w in statement["weeks"]] == [str(w.week_start) for w in r.weeks]
    totals = statement["totals"]
    assert totals["weeks"] == len(r.weeks)
    assert totals["days_attended"] == r.days_attended
    assert totals["agreed_hours"] == pytest.approx(sum(w.agreed_minutes for w in r.weeks) / 60)
    present = sum(w.attended_minutes + w.internship_minutes for w in r.weeks)
    assert totals["attended_hours"] == pytest.approx(present / 60)
    assert totals["attendance_rate"] == pytest.approx(present / sum(w.agreed_minutes for w in r.weeks))
    reasons: Counter[str] = Counter()
    for w in r.weeks:
        reasons.update(w.absences_by_reason)
    assert totals["absences_by_reason"] == dict(sorted(reasons.items()))
    assert totals["unexcused_absences"] == sum(w.unexcused_absences for w in r.weeks)
    first = sum((w.attended_minutes + w.internship_minutes) / 60 for w in r.weeks[:4]) / 4
    assert statement["hours_progression"]["first_four_weeks_hours"] == pytest.approx(first)
    assert statement["end_date"] == str(r.end_date)

    # the referring organisation sees it too, as a table and a chart
    referring = auth(r.referring_org)
    table = parse_csv(await service.client.get(f"/statements/{r.referral_id}?format=csv", headers=referring))
    assert [float(row["agreed_hours"]) for row in table] == [w.agreed_minutes / 60 for w in r.weeks]
    chart = await service.client.get(f"/statements/{r.referral_id}/chart.png", headers=referring)
    assert png_size(chart.content) == (800, 450)
    swedish = await service.client.get(f"/statements/{r.referral_id}/chart.svg?lang=sv", headers=referring)
    assert "Avtalade timmar och närvarotimmar per vecka" in _svg_words(swedish.content)

    # anyone else: the same 404 as for an id that does not exist
    for path in (f"/statements/{r.referral_id}", f"/statements/{r.referral_id}/chart.svg"):
        hidden = await service.client.get(path, headers=STRANGER)
        assert hidden.status_code == 404
        assert hidden.headers["content-type"] == "application/problem+json"


async def every_figure_is_scoped_to_the_callers_organisation(reporting: Any) -> None:
    service, cohort = reporting
    stranger = (await service.client.get("/figures", params=PERIOD, headers=STRANGER)).json()
    assert stranger["rows"] == []
    jobcentre = (await service.client.get("/figures", params=PERIOD, headers=JOBCENTRE)).json()["rows"]
    own = Counter(r.programme.code for r in cohort.referrals if r.referring_org == "jobcenter-aalborg")
    assert {row["programme_code"]: row["referrals_received"] for row in jobcentre} == dict(own)

    # each side counts the alerts raised to its own staff, never the other side's
    def raised_to(org: str, provider: str | None = None) -> int:
        return sum(
            1
            for r in cohort.referrals
            for a in r.alerts
            if a.org == org and (provider is None or r.programme.provider_org == provider)
        )

    assert sum(row["alerts"]["raised"] for row in jobcentre) == raised_to("jobcenter-aalborg") > 0
    assert all(row["occupancy"]["capacity"] is None for row in jobcentre)  # the provider's seats
    provider = (await service.client.get("/figures", params=PERIOD, headers=PROVIDER)).json()["rows"]
    assert {row["provider_org"] for row in provider} == {"rca-aalborg"}
    assert sum(row["alerts"]["raised"] for row in provider) == raised_to("rca-aalborg") > 0
    chart = await service.client.get("/charts/occupancy.svg", params=PERIOD, headers=STRANGER)
    assert chart.status_code == 200  # an empty chart, nothing of anyone else's


BAD_REQUESTS = [
    ("/figures", {}, {}, 401),
    ("/figures", {"from": "2026-05-01", "to": "2026-04-01"}, PROVIDER, 422),
    ("/figures", {"from": "2020-01-01", "to": "2026-04-01"}, PROVIDER, 422),
    ("/figures", {"from": "yesterday"}, PROVIDER, 422),
    ("/figures", {"by": "colour"}, PROVIDER, 422),
    ("/figures", {"format": "xlsx"}, PROVIDER, 422),
    ("/figures", {"programme": ""}, PROVIDER, 422),
    ("/charts/pie.png", {}, PROVIDER, 422),
    ("/charts/occupancy.gif", {}, PROVIDER, 422),
    ("/charts/occupancy.svg", {"lang": "fr"}, PROVIDER, 422),
    ("/statements/not-a-uuid", {}, PROVIDER, 422),
    ("/statements/8c1f4e0e-8d6a-4a43-9d43-7d3c3b0a0a0a", {}, PROVIDER, 404),
]


async def test_bad_requests_get_problem_details_and_change_nothing(make_database: Any, run_service: Any) -> None:
    async with run_service(reporting_spec(), await make_database(reporting_spec())) as service:
        for path, params, headers, status in BAD_REQUESTS:
            response = await service.client.get(path, params=params, headers=headers)
            assert response.status_code == status, (path, params, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["status"] == status
        async with service.runtime.engine.connect() as connection:
            from sqlalchemy import text

            assert (await connection.execute(text("SELECT count(*) FROM referral_facts"))).scalar() == 0
