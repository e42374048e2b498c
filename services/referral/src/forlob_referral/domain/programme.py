"""A provider's programme in its catalogue: its shape, capacity, intake days, length and opening hours.

The shape decides which commands the programme takes: a ``timetabled`` course agrees weekly
windows, a ``meetings`` course agrees a cadence of meetings, an ``outreach`` programme opens
cases (:mod:`forlob_referral.domain.outreach`) and takes neither referrals nor course starts.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cached_property

from forlob_shared.calendar import DEFAULT_TIMEZONE, ProviderCalendar
from forlob_shared.errors import Conflict, InvalidInput
from forlob_shared.events import PendingEvent
from forlob_shared.events.catalogue import ProgrammeDefined
from forlob_shared.events.common import AttendanceRules, ProgrammeShape, TimeWindow


class ProgrammeKind(StrEnum):
    DEVELOPMENT_COURSE = "development_course"
    CLARIFICATION = "clarification"
    CONVERSATION_COURSE = "conversation_course"
    IPS = "ips"
    OUTREACH = "outreach"
    PHYSIOTHERAPY = "physiotherapy"
    GROUP_ACTIVATION = "group_activation"
    WORK_ABILITY_ASSESSMENT = "work_ability_assessment"
    WORK_TRAINING = "work_training"
    OTHER = "other"


@dataclass
class Programme:
    provider_org: str
    code: str
    name: str
    kind: ProgrammeKind
    capacity: int
    intake_weekdays: tuple[int, ...]
    default_weeks: int
    min_weeks: int
    max_weeks: int
    opening_hours: tuple[TimeWindow, ...]
    country: str
    timezone: str
    rules: AttendanceRules = field(default_factory=AttendanceRules)
    defined_at: datetime | None = None
    shape: ProgrammeShape = ProgrammeShape.TIMETABLED

    @cached_property
    def calendar(self) -> ProviderCalendar:
        # Cached: building the holiday table is the slow part of a seat search.
        return ProviderCalendar(country=self.country, timezone=self.timezone)

    def is_intake_day(self, day: date) -> bool:
        return day.weekday() in self.intake_weekdays and self.calendar.is_working_day(day)

    def next_intake_day(self, day: date) -> date:
        """The first intake weekday on or after ``day`` that is not a public holiday."""
        return self.calendar.next_working_day(day, frozenset(self.intake_weekdays))

    def course_end(self, start: date, weeks: int) -> date:
        """The last day (inclusive) of a course of ``weeks`` weeks from ``start``."""
        return start + timedelta(weeks=weeks) - timedelta(days=1)

    def check_weeks(self, weeks: int, what: str = "the course") -> None:
        if not self.min_weeks <= weeks <= self.max_weeks:
            raise InvalidInput(
                f"{what} would last {weeks} weeks; {self.code} allows {self.min_weeks} to {self.max_weeks}",
                field="weeks",
            )

    def require_shape(self, *shapes: ProgrammeShape, doing: str) -> None:
        """409 when the programme's shape does not take this command; nothing has changed yet."""
        if self.shape in shapes:
            return
        if self.shape is ProgrammeShape.OUTREACH:
            raise Conflict(
                f"an outreach programme opens cases, not courses ({self.code} cannot {doing})",
                shape=self.shape.value,
                reason="wrong-shape",
            )
        raise Conflict(
            f"{self.code} is a {self.shape.value} programme; it cannot {doing}",
            shape=self.shape.value,
            reason="wrong-shape",
        )

    def check_within_opening_hours(self, schedule: tuple[TimeWindow, ...]) -> None:
        for window in schedule:
            if not any(
                o.weekday == window.weekday and o.start <= window.start and window.end <= o.end
                for o in self.opening_hours
            ):
                raise InvalidInput(
                    f"the agreed time {_show(window)} lies outside the programme's opening hours",
                    field="schedule",
                )
        _check_no_overlap(schedule, "schedule")


def define(
    *,
    provider_org: str,
    code: str,
    name: str,
    kind: ProgrammeKind,
    capacity: int,
    intake_weekdays: tuple[int, ...],
    default_weeks: int,
    min_weeks: int,
    max_weeks: int,
    opening_hours: tuple[TimeWindow, ...],
    country: str,
    timezone: str | None,
    rules: AttendanceRules,
    now: datetime,
    shape: ProgrammeShape = ProgrammeShape.TIMETABLED,
) -> tuple[Programme, PendingEvent]:
    if capacity < 0:
        raise InvalidInput("capacity cannot be negative", field="capacity")
    if not intake_weekdays or any(not 0 <= d <= 6 for d in intake_weekdays):
        raise InvalidInput("name at least one intake weekday, 0 = Monday ... 6 = Sunday", field="intake_weekdays")
    if not 1 <= min_weeks <= default_weeks <= max_weeks:
        raise InvalidInput("weeks must satisfy 1 <= min_weeks <= default_weeks <= max_weeks", field="default_weeks")
    if country not in DEFAULT_TIMEZONE:
        raise InvalidInput(f"country must be one of {sorted(DEFAULT_TIMEZONE)}", field="country")
    try:
        calendar = ProviderCalendar(country=country, timezone=timezone or "")
    except Exception:  # noqa: BLE001  (zoneinfo raises several kinds for an unknown zone)
        raise InvalidInput(f"unknown timezone {timezone!r}", field="timezone") from None
    if not opening_hours:
        raise InvalidInput("name the opening hours, at least one weekday window", field="opening_hours")
    _check_no_overlap(opening_hours, "opening_hours")
    # The calendar has no intake at weekends, so a programme open only then could never take anyone.
    # Outreach has no intake: its team opens cases any day.
    if shape is not ProgrammeShape.OUTREACH and not any(
        o.weekday in intake_weekdays and o.weekday < 5 for o in opening_hours
    ):
        raise InvalidInput(
            "the programme is closed on every intake weekday (intake is Monday to Friday)", field="intake_weekdays"
        )
    programme = Programme(
        provider_org=provider_org,
        code=code,
        name=name,
        kind=kind,
        capacity=capacity,
        intake_weekdays=tuple(sorted(set(intake_weekdays))),
        default_weeks=default_weeks,
        min_weeks=min_weeks,
        max_weeks=max_weeks,
        opening_hours=tuple(sorted(opening_hours, key=lambda w: (w.weekday, w.start))),
        country=country,
        timezone=calendar.timezone,
        rules=rules,
        defined_at=now,
        shape=shape,
    )
    event = PendingEvent(
        data=ProgrammeDefined(
            provider_org=provider_org,
            programme_code=code,
            kind=kind.value,
            capacity=capacity,
            intake_weekdays=list(programme.intake_weekdays),
            default_weeks=default_weeks,
            min_weeks=min_weeks,
            max_weeks=max_weeks,
            opening_hours=list(programme.opening_hours),
            timezone=programme.timezone,
            country=country,
            rules=rules,
            defined_at=now,
            shape=shape,
        ),
        subject=f"{provider_org}/{code}",
        provider_org=provider_org,
    )
    return programme, event


def _show(window: TimeWindow) -> str:
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    return f"{days[window.weekday]} {window.start:%H:%M}-{window.end:%H:%M}"


def _check_no_overlap(windows: tuple[TimeWindow, ...], field_name: str) -> None:
    ordered = sorted(windows, key=lambda w: (w.weekday, w.start))
    for before, after in itertools.pairwise(ordered):
        if before.weekday == after.weekday and after.start < before.end:
            raise InvalidInput(f"{_show(before)} and {_show(after)} overlap", field=field_name)
