"""Figures for a caller's organisation: load its facts, group them, hand them to the domain.

An organisation sees the referrals it is party to: a provider those to its programmes, a
referring organisation those it sent. Alerts and seats are one organisation's own work: an
organisation counts the alerts raised to its own staff (the provider its contact persons', a
jobcentre its caseworkers'), never those of the other side of the same course; only the
provider sees its programmes' capacity and occupancy.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from forlob_reporting.application.ports import FiguresUnitOfWork
from forlob_reporting.domain import figures as f
from forlob_reporting.domain import pathways, shape_figures
from forlob_reporting.domain.facts import REFERRALS, Row
from forlob_reporting.domain.groups import Fact, Programme
from forlob_reporting.domain.ips import clarification_results as clarifications
from forlob_reporting.domain.ips import ips_fidelity as ips_items
from forlob_reporting.domain.merge import date_in_zone, local_date, zone_named
from forlob_reporting.domain.proposals import proposal_figures
from forlob_reporting.domain.statement import statement
from forlob_shared.errors import NotFound

UNLINKED = "unknown"  # the programme of an alert that names no referral the read model knows
GENERAL = "general"  # the programme of employer contacts made for no course
IPS_KIND = "ips"  # the catalogue's kind of the programmes the IPS fidelity scale is for


@dataclass(frozen=True)
class Scope:
    org: str
    programme: str | None = None
    by_referring_org: bool = False


async def load_groups(uow: FiguresUnitOfWork, scope: Scope) -> dict[f.GroupKey, f.GroupFacts]:
    async with uow:
        referrals = await uow.reads.referrals(scope.org, scope.programme)
        weeks = await uow.reads.weeks(scope.org, scope.programme)
        breaches = await uow.reads.breaches(scope.org, scope.programme)
        alerts = await uow.reads.alerts(scope.org)
        programmes = await uow.reads.programmes()
        meetings = await uow.reads.meetings(scope.org, scope.programme)
        reminders = await uow.reads.meeting_reminders(scope.org, scope.programme)
        cases = await uow.reads.outreach_cases(scope.org, scope.programme)
        attempts = await uow.reads.outreach_attempts(scope.org, scope.programme)
        phases = await uow.reads.outreach_phases(scope.org, scope.programme)
        outreach_reminders = await uow.reads.outreach_reminders(scope.org, scope.programme)
        contacts = await uow.reads.employer_contacts(scope.org, scope.programme)
        spells = await uow.reads.job_spells(scope.org, scope.programme)
        support = await uow.reads.support_phases(scope.org, scope.programme)
        clarifications = await uow.reads.clarifications(scope.org, scope.programme)

    groups: dict[f.GroupKey, f.GroupFacts] = defaultdict(f.GroupFacts)

    def key(row: Row) -> f.GroupKey:
        # Outreach facts name no referring organisation: they are the team's own work.
        referring = row.get("referring_org") if scope.by_referring_org else None
        return f.GroupKey(row["provider_org"], row["programme_code"], referring)

    by_id = {}
    for r in referrals:
        # A referral no course has started for yet is dated in its programme's zone.
        date_in_zone(r, REFERRALS, _zone(programmes.get((r["provider_org"], r["programme_code"]))))
        groups[key(r)].referrals.append(r)
        by_id[r["referral_id"]] = r
    for w in weeks:
        groups[key(w)].weeks.append(w)
    for b in breaches:
        groups[key(b)].breaches.append(b)
    for m in meetings:
        groups[key(m)].meetings.append(m)
    for m in reminders:
        groups[key(m)].meeting_reminders.append(m)
    for c in cases:
        if c["programme_code"] is not None:  # a handover whose case's own events are yet to come
            groups[key(c)].outreach_cases.append(c)
    for a in attempts:
        groups[key(a)].outreach_attempts.append(a)
    for p in phases:
        groups[key(p)].outreach_phases.append(p)
    for o in outreach_reminders:
        groups[key(o)].outreach_reminders.append(o)
    for c in contacts:
        # General job development names no programme: ips_fidelity counts it in a row of its own.
        if c["programme_code"] is not None:
            groups[key(c)].employer_contacts.append(c)
    for j in spells:
        groups[key(j)].job_spells.append(j)
    for s in support:
        groups[key(s)].support_phases.append(s)
    for c in clarifications:
        groups[key(c)].clarifications.append(c)
    for a in alerts:
        referral = by_id.get(a["referral_id"])
        if referral is not None:
            groups[key(referral)].alerts.append(a)
        elif scope.programme is None:
            groups[f.GroupKey(a["provider_org"], UNLINKED)].alerts.append(a)
    if not scope.by_referring_org:
        for provider, programme in programmes:
            if provider == scope.org and scope.programme in (None, programme):
                groups[f.GroupKey(provider, programme)]  # a programme without referrals still has seats
    for group_key, group in groups.items():
        defined = programmes.get((group_key.provider_org, group_key.programme_code))
        group.zone = _zone(defined, group.referrals)
        group.shape = _shape(defined, group)
        group.kind = defined.kind if defined is not None else None
        # The seats are the provider's: a referring organisation's own courses over them would
        # read as the programme's occupancy, which it is not.
        if group_key.provider_org == scope.org and defined is not None:
            group.capacity = defined.capacity
    return dict(
        sorted(groups.items(), key=lambda kv: (kv[0].provider_org, kv[0].programme_code, kv[0].referring_org or ""))
    )


def _zone(programme: Programme | None, referrals: Sequence[Fact] = ()) -> ZoneInfo:
    """The programme's zone: its definition's, else a started course's, else Europe/Copenhagen."""
    if programme is not None and programme.timezone:
        return zone_named(programme.timezone)
    return zone_named(next((r["timezone"] for r in referrals if r.get("timezone")), None))


def _shape(programme: Programme | None, group: f.GroupFacts) -> str:
    """The programme's shape: its definition's, else a started course's, else what its facts are
    (outreach cases, meetings), else timetabled (every programme before shapes)."""
    if programme is not None and programme.shape:
        return programme.shape
    started = next((r["shape"] for r in group.referrals if r.get("shape")), None)
    if started:
        return str(started)
    if group.outreach_cases or group.outreach_attempts or group.outreach_phases:
        return "outreach"
    return "meetings" if group.meetings or group.meeting_reminders else "timetabled"


def _day_of(zone: ZoneInfo) -> Callable[[datetime], date]:
    return lambda instant: local_date(instant, zone)


def group_fields(key: f.GroupKey) -> dict[str, Any]:
    fields: dict[str, Any] = {"provider_org": key.provider_org, "programme_code": key.programme_code}
    if key.referring_org is not None:
        fields["referring_org"] = key.referring_org
    return fields


async def figures(uow: FiguresUnitOfWork, scope: Scope, period: f.Period) -> list[dict[str, Any]]:
    groups = await load_groups(uow, scope)
    return [{**group_fields(k), **f.all_figures(g, period, _day_of(g.zone))} for k, g in groups.items()]


Series = Callable[[f.GroupFacts, f.Period], list[dict[str, Any]]]

SERIES: dict[str, Series] = {
    "waiting-list": f.waiting_list_weeks,
    "occupancy": f.occupancy_days,
    "attendance-weeks": f.attendance_weeks,
}


# The figures block each series belongs to: a group whose shape does not show the block has no
# series either (an outreach team has no seats, a meetings-shaped course no agreed weekly hours).
SERIES_BLOCK = {"waiting-list": "waiting_list", "occupancy": "occupancy", "attendance-weeks": "attendance"}


async def series(uow: FiguresUnitOfWork, scope: Scope, period: f.Period, name: str) -> list[dict[str, Any]]:
    """One time series per group, as rows that carry the group's fields."""
    groups = await load_groups(uow, scope)
    return [
        {**group_fields(k), **row}
        for k, g in groups.items()
        if SERIES_BLOCK[name] in f.BLOCKS.get(g.shape, f.BLOCKS["timetabled"])
        for row in SERIES[name](g, period)
    ]


async def ips_fidelity(uow: FiguresUnitOfWork, scope: Scope, period: f.Period) -> list[dict[str, Any]]:
    """Per IPS programme of the caller's (the provider's) own; caseloads and contacts name its staff.
    Only a programme defined with kind ``ips`` has a row: the scale's items (rapid job search, a
    caseload of at most 20) mean nothing for a development or clarification course. General job
    development, for no course, is a row of its own (programme ``general``) when no programme is
    asked for: a consultant's contacts are counted once, where they were made."""
    groups = await load_groups(uow, Scope(scope.org, scope.programme))
    rows = [
        {**group_fields(k), **ips_items(g, period)}
        for k, g in groups.items()
        if k.provider_org == scope.org and g.kind == IPS_KIND
    ]
    if scope.programme is None:
        async with uow:
            contacts = await uow.reads.employer_contacts(scope.org, None)
        general = [c for c in contacts if c["programme_code"] is None]
        if general:
            key = f.GroupKey(scope.org, GENERAL)
            rows.append({**group_fields(key), **ips_items(f.GroupFacts(), period, general)})
    return rows


async def clarification_results(uow: FiguresUnitOfWork, scope: Scope, period: f.Period) -> list[dict[str, Any]]:
    """Per programme whose courses gave clarification results: the provider's and the referring
    organisation's alike (the result is delivered to the caseworker)."""
    groups = await load_groups(uow, scope)
    return [{**group_fields(k), **clarifications(g, period)} for k, g in groups.items() if g.clarifications]


async def handovers(uow: FiguresUnitOfWork, scope: Scope, period: f.Period, *, each: bool) -> list[dict[str, Any]]:
    """Referrals on the caller is party to (the jobcentre, either provider), per programme pair,
    or one row per handover (``each``): days without any programme between the two steps."""
    async with uow:
        found = await uow.reads.handovers(scope.org, scope.programme)
        ids = {r[k] for r in found for k in ("referral_id", "next_referral_id")}
        referrals = {i: row for i in sorted(ids, key=str) if (row := await uow.reads.referral(i)) is not None}
    if each:
        return pathways.per_handover(found, referrals, period)
    return pathways.by_pair(found, referrals, period)


async def next_step_proposals(uow: FiguresUnitOfWork, scope: Scope, period: f.Period) -> list[dict[str, Any]]:
    """Per programme (per jobcentre too, ``by_referring_org``) of the courses the caller is party
    to, as proposing provider or as the jobcentre that referred them: the next steps proposed in
    the period, dated in the programme's zone, by what became of them."""
    async with uow:
        found = await uow.reads.proposals(scope.org, scope.programme)
        programmes = await uow.reads.programmes()
    groups: dict[f.GroupKey, list[Row]] = defaultdict(list)
    for row in found:
        referring = row["referring_org"] if scope.by_referring_org else None
        groups[f.GroupKey(row["provider_org"], row["programme_code"], referring)].append(row)
    rows = []
    for key in sorted(groups, key=lambda k: (k.provider_org, k.programme_code, k.referring_org or "")):
        zone = _zone(programmes.get((key.provider_org, key.programme_code)))
        figures = proposal_figures(groups[key], period, _day_of(zone))
        if figures["proposals"]:
            rows.append({**group_fields(key), **figures})
    return rows


async def visit_safety(uow: FiguresUnitOfWork, org: str, period: f.Period) -> list[dict[str, Any]]:
    """The organisation's own visits: one row, dated in its programmes' zone (Europe/Copenhagen
    if it has none defined; visits name no programme)."""
    async with uow:
        rows = await uow.reads.visits(org)
        programmes = await uow.reads.programmes()
    own = [p for (provider, _), p in sorted(programmes.items()) if provider == org]
    zone = _zone(own[0] if own else None)
    return [{"provider_org": org, "visits": shape_figures.visits(rows, period, _day_of(zone))}]


async def attendance_statement(uow: FiguresUnitOfWork, org: str, referral_id: UUID) -> dict[str, Any]:
    async with uow:
        referral = await uow.reads.referral(referral_id)
        if referral is None or org not in (referral["provider_org"], referral["referring_org"]):
            raise NotFound(f"no referral {referral_id}")
        weeks = await uow.reads.weeks_of(referral_id)
        days = await uow.reads.days_attended(referral_id)
    return statement(referral, weeks, days)


@dataclass(frozen=True)
class ReferralsReceived:
    programme_code: str
    provider_org: str
    referring_org: str
    count: int


async def referrals_received(uow: FiguresUnitOfWork, scope: Scope, period: f.Period | None) -> list[ReferralsReceived]:
    """Referrals received per programme and organisation pair (the thin slice's figure)."""
    groups = await load_groups(uow, Scope(scope.org, scope.programme, by_referring_org=True))
    rows = []
    for k, g in groups.items():
        n = sum(
            1 for r in g.referrals if r["received_on"] is not None and (period is None or r["received_on"] in period)
        )
        if n and k.referring_org is not None:
            rows.append(ReferralsReceived(k.programme_code, k.provider_org, k.referring_org, n))
    return rows
