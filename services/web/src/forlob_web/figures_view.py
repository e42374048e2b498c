"""The figures page's reading of reporting's rows: per group the key numbers, each beside the
same group's number in the previous period of the same length, and every figure for who wants
them all. Pure: the route fetches, this arranges."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from forlob_shared.texts import figure

Better = Literal["up", "down"]

# The numbers a team leader reads first, in this order; a row shows those its shape has
# (reporting leaves out what means nothing for a shape: no attendance rate for meetings).
# ``better``: which way is an improvement, so a change can be called better or worse.
KEY_FIGURES: tuple[tuple[str, Better], ...] = (
    ("waiting_days.median", "down"),
    ("occupancy.mean_occupancy", "up"),
    ("attendance.attendance_rate", "up"),
    ("attendance.unexcused_absences", "down"),
    ("meetings.share_held", "up"),
    ("outcomes.share_work_or_education", "up"),
    ("alerts.share_acknowledged_in_time", "up"),
    ("outreach.cases_opened", "up"),
    ("outreach.contact_attempts", "up"),
)
# What a key number is out of, shown beneath it: seats used of the capacity, courses ended.
CONTEXT: dict[str, tuple[str, ...]] = {
    "occupancy.mean_occupancy": ("occupancy.mean_seats_used", "occupancy.capacity"),
    "outcomes.share_work_or_education": ("outcomes.ended",),
    "waiting_days.median": ("waiting_days.count",),
    "alerts.share_acknowledged_in_time": ("alerts.with_deadline",),
    "meetings.share_held": ("meetings.planned",),
}
DEFAULT_DAYS = 90  # reporting's default period: the 90 days up to today


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def before(self) -> Period:
        """The period of the same length that ends the day before this one starts."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def query(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def period_of(start: date | None, end: date | None, today: date) -> Period:
    """The period asked for, filled in as reporting fills it: to today, and 90 days back."""
    last = end or today
    return Period(start or last - timedelta(days=DEFAULT_DAYS - 1), last)


@dataclass(frozen=True)
class KeyFigure:
    name: str
    value: Any
    previous: Any
    better: Better
    context: tuple[tuple[str, Any], ...] = ()

    @property
    def change(self) -> float | None:
        if not isinstance(self.value, int | float) or not isinstance(self.previous, int | float):
            return None
        difference = float(self.value) - float(self.previous)
        return round(difference * 100, 1) if self.is_share else round(difference, 2)

    @property
    def is_share(self) -> bool:
        found = figure(self.name)
        return found is not None and found.unit == "share"

    @property
    def verdict(self) -> str:
        """``better``, ``worse`` or ``same`` against the previous period; ``none`` if either is unknown."""
        change = self.change
        if change is None:
            return "none"
        if change == 0:
            return "same"
        return "better" if (change > 0) == (self.better == "up") else "worse"


@dataclass
class Group:
    provider_org: str
    programme_code: str
    referring_org: str | None
    key: list[KeyFigure] = field(default_factory=list)
    every: list[tuple[str, Any]] = field(default_factory=list)


def flatten(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        if isinstance(value, dict):
            out |= flatten(value, f"{prefix}{name}.")
        else:
            out[f"{prefix}{name}"] = value
    return out


def _key_of(row: dict[str, Any]) -> tuple[Any, ...]:
    return row.get("provider_org"), row.get("programme_code"), row.get("referring_org")


DIMENSIONS = ("provider_org", "programme_code", "referring_org")


def groups(rows: list[dict[str, Any]], previous_rows: list[dict[str, Any]]) -> list[Group]:
    """One group per row of the period, its key numbers set against the same group's previous
    period (a group with no row there has no previous numbers: none to compare with)."""
    before = {_key_of(r): flatten(r) for r in previous_rows}
    found = []
    for row in rows:
        now = flatten(row)
        then = before.get(_key_of(row), {})
        key = [
            KeyFigure(name, now[name], then.get(name), better, tuple((c, now.get(c)) for c in CONTEXT.get(name, ())))
            for name, better in KEY_FIGURES
            if name in now
        ]
        every = [(name, value) for name, value in now.items() if name not in DIMENSIONS]
        found.append(
            Group(row.get("provider_org", ""), row.get("programme_code", ""), row.get("referring_org"), key, every)
        )
    return found


def overdue(alerts: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """Open alerts past their deadline, the longest overdue first."""
    late = [a for a in alerts if a.get("state") == "open" and a.get("due_at") and _at(a["due_at"]) < now]
    return sorted(late, key=lambda a: _at(a["due_at"]))


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
