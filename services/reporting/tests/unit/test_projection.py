"""The projection gives the same read model for the same events in any order, duplicates included."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from uuid import uuid4

from forlob_reporting.db.models import TABLES as SQL_TABLES
from forlob_reporting.db.store import MemoryFactStore
from forlob_reporting.domain.facts import REFERRALS, TABLES
from forlob_reporting.domain.projection import project
from forlob_reporting.domain.stats import median, percentile
from forlob_shared.events import PendingEvent, ProgrammeRescheduled, decode, encode
from forlob_testkit.reporting.cohort import build_cohort


def test_sql_tables_have_the_projection_columns_in_order() -> None:
    for fact in TABLES:
        assert tuple(c.name for c in SQL_TABLES[fact.name].columns) == fact.columns


def _model(bodies: list[bytes]) -> dict[str, dict[object, dict[str, object]]]:
    store = MemoryFactStore()
    for body in bodies:
        store.apply_now(project(decode(body)))
    return store.rows


def test_any_order_and_duplicates_give_the_same_read_model() -> None:
    cohort = build_cohort(40, seed=3, days_share=0.5)
    bodies = [p.body() for p in cohort.events]
    in_order = _model(bodies)
    assert len(in_order[REFERRALS.name]) == 40
    rnd = random.Random(5)
    for _ in range(5):
        mixed = bodies + rnd.sample(bodies, 50)
        rnd.shuffle(mixed)
        assert _model(mixed) == in_order
    assert _model(list(reversed(bodies))) == in_order


PARTICIPANT = uuid4()


def _rescheduled(referral_id: object, end: date, sequence: int) -> bytes:
    data = ProgrammeRescheduled(
        referral_id=referral_id,
        participant_id=PARTICIPANT,
        programme_code="RCA-UDV-13",
        referring_org="jobcenter-aalborg",
        provider_org="rca-aalborg",
        previous_end_date=date(2026, 3, 1),
        planned_end_date=end,
        change="extended",
        changed_at=datetime(2026, 2, 1, 12, tzinfo=UTC),
    )
    event = PendingEvent(data=data, subject=str(referral_id))
    return encode(event, source="forlob/test", sequence=sequence, time=datetime(2026, 2, 1, 12, tzinfo=UTC))


def test_an_older_change_arriving_late_does_not_overwrite_a_newer_one() -> None:
    referral_id = uuid4()
    newer, older = _rescheduled(referral_id, date(2026, 4, 1), 5), _rescheduled(referral_id, date(2026, 3, 15), 4)
    row = _model([newer, older])[REFERRALS.name][(referral_id,)]
    assert row["planned_end_date"] == date(2026, 4, 1)
    assert row["programme_code"] == "RCA-UDV-13"
    assert _model([older, newer]) == _model([newer, older])


def test_percentiles_interpolate_between_ranks() -> None:
    assert percentile([], 0.9) is None
    assert percentile([7.0], 0.9) == 7.0
    assert median([1.0, 2.0, 3.0, 10.0]) == 2.5
    assert percentile([float(v) for v in range(1, 11)], 0.9) == 9.1
