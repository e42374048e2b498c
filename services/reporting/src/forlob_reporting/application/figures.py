"""Figures for a caller's organisation: load its facts, group them, hand them to the domain.

An organisation sees the referrals it is party to: a provider those to its programmes, a
referring organisation those it sent. Alerts and seats are one organisation's own work: an
organisation counts the alerts raised to its own staff (the provider its contact persons', a
jobcentre its caseworkers'), never those of the other side of the same course; only the
provider sees its programmes' capacity and occupancy.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from forlob_reporting.db.models import (
    alert_facts,
    attendance_day_facts,
    attendance_week_facts,
    breach_facts,
    programme_facts,
    referral_facts,
)
from forlob_reporting.db.uow import ReportingUnitOfWork
from forlob_reporting.domain import figures as f
from forlob_reporting.domain.projection import local_date
from forlob_shared.errors import NotFound

UNLINKED = "unknown"  # the programme of an alert that names no referral the read model knows


@dataclass(frozen=True)
class Scope:
    org: str
    programme: str | None = None
    by_referring_org: bool = False


async def load_groups(uow: ReportingUnitOfWork, scope: Scope) -> dict[f.GroupKey, f.GroupFacts]:
    async with uow:
        referrals = await _rows(uow, referral_facts, scope)
        weeks = await _rows(uow, attendance_week_facts, scope)
        breaches = await _rows(uow, breach_facts, scope)
        alerts = [
            dict(r)
            for r in (
                await uow.session.execute(
                    sa.select(alert_facts).where(alert_facts.c.org == scope.org).order_by(alert_facts.c.alert_id)
                )
            )
            .mappings()
            .all()
        ]
        capacities = {
            (p, c): cap
            for p, c, cap in (
                await uow.session.execute(
                    sa.select(
                        programme_facts.c.provider_org, programme_facts.c.programme_code, programme_facts.c.capacity
                    )
                )
            ).all()
        }

    groups: dict[f.GroupKey, f.GroupFacts] = defaultdict(f.GroupFacts)

    def key(row: dict[str, Any]) -> f.GroupKey:
        referring = row["referring_org"] if scope.by_referring_org else None
        return f.GroupKey(row["provider_org"], row["programme_code"], referring)

    by_id = {}
    for r in referrals:
        groups[key(r)].referrals.append(r)
        by_id[r["referral_id"]] = r
    for w in weeks:
        groups[key(w)].weeks.append(w)
    for b in breaches:
        groups[key(b)].breaches.append(b)
    for a in alerts:
        referral = by_id.get(a["referral_id"])
        if referral is not None:
            groups[key(referral)].alerts.append(a)
        elif scope.programme is None:
            groups[f.GroupKey(a["provider_org"], UNLINKED)].alerts.append(a)
    if not scope.by_referring_org:
        for (provider, programme), _ in capacities.items():
            if provider == scope.org and scope.programme in (None, programme):
                groups[f.GroupKey(provider, programme)]  # a programme without referrals still has seats
    for group_key, group in groups.items():
        # The seats are the provider's: a referring organisation's own courses over them would
        # read as the programme's occupancy, which it is not.
        if group_key.provider_org == scope.org:
            group.capacity = capacities.get((group_key.provider_org, group_key.programme_code))
    return dict(
        sorted(groups.items(), key=lambda kv: (kv[0].provider_org, kv[0].programme_code, kv[0].referring_org or ""))
    )


async def _rows(uow: ReportingUnitOfWork, table: sa.Table, scope: Scope) -> list[dict[str, Any]]:
    # In key order, so sums of floats come out the same however the rows were written.
    query = (
        sa.select(table)
        .where(sa.or_(table.c.provider_org == scope.org, table.c.referring_org == scope.org))
        .order_by(*table.primary_key.columns)
    )
    if scope.programme is not None:
        query = query.where(table.c.programme_code == scope.programme)
    return [dict(r) for r in (await uow.session.execute(query)).mappings().all()]


def group_fields(key: f.GroupKey) -> dict[str, Any]:
    fields: dict[str, Any] = {"provider_org": key.provider_org, "programme_code": key.programme_code}
    if key.referring_org is not None:
        fields["referring_org"] = key.referring_org
    return fields


async def figures(uow: ReportingUnitOfWork, scope: Scope, period: f.Period) -> list[dict[str, Any]]:
    groups = await load_groups(uow, scope)
    return [{**group_fields(k), **f.all_figures(g, period, local_date)} for k, g in groups.items()]


Series = Callable[[f.GroupFacts, f.Period], list[dict[str, Any]]]

SERIES: dict[str, Series] = {
    "waiting-list": f.waiting_list_weeks,
    "occupancy": f.occupancy_days,
    "attendance-weeks": f.attendance_weeks,
}


async def series(uow: ReportingUnitOfWork, scope: Scope, period: f.Period, name: str) -> list[dict[str, Any]]:
    """One time series per group, as rows that carry the group's fields."""
    groups = await load_groups(uow, scope)
    return [{**group_fields(k), **row} for k, g in groups.items() for row in SERIES[name](g, period)]


async def ips_fidelity(uow: ReportingUnitOfWork, scope: Scope, period: f.Period) -> list[dict[str, Any]]:
    # Caseloads name the provider's staff: only the provider sees them.
    groups = await load_groups(uow, Scope(scope.org, scope.programme))
    return [{**group_fields(k), **f.ips_fidelity(g, period)} for k, g in groups.items() if k.provider_org == scope.org]


async def attendance_statement(uow: ReportingUnitOfWork, org: str, referral_id: UUID) -> dict[str, Any]:
    async with uow:
        referral = (
            (await uow.session.execute(sa.select(referral_facts).where(referral_facts.c.referral_id == referral_id)))
            .mappings()
            .first()
        )
        if referral is None or org not in (referral["provider_org"], referral["referring_org"]):
            raise NotFound(f"no referral {referral_id}")
        weeks = (
            (
                await uow.session.execute(
                    sa.select(attendance_week_facts).where(attendance_week_facts.c.referral_id == referral_id)
                )
            )
            .mappings()
            .all()
        )
        days = (
            await uow.session.execute(
                sa.select(sa.func.count())
                .select_from(attendance_day_facts)
                .where(
                    attendance_day_facts.c.referral_id == referral_id,
                    attendance_day_facts.c.checked_in_at.is_not(None),
                )
            )
        ).scalar_one()
    return f.statement(dict(referral), [dict(w) for w in weeks], int(days))


@dataclass(frozen=True)
class ReferralsReceived:
    programme_code: str
    provider_org: str
    referring_org: str
    count: int


async def referrals_received(
    uow: ReportingUnitOfWork, scope: Scope, period: f.Period | None
) -> list[ReferralsReceived]:
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
