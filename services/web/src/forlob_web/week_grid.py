"""The agreed weekly schedule as a week grid: a table of weekdays by windows, each cell a start and
an end time. A person's mistakes (half a window, an end before its start, a window outside the
programme's opening hours) are named per cell, so the page can show them next to the field.

The cell ``w{weekday}_{n}`` has the inputs ``w{weekday}_{n}_start`` and ``w{weekday}_{n}_end``
(weekday 0 = Monday, n = 1 … WINDOWS_PER_DAY).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import Any

WINDOWS_PER_DAY = 2
GRID_FIELD = re.compile(r"^w([0-6])_([1-9])_(start|end)$")


@dataclass(frozen=True)
class Window:
    weekday: int
    start: time
    end: time

    def body(self) -> dict[str, Any]:
        return {"weekday": self.weekday, "start": self.start.strftime("%H:%M"), "end": self.end.strftime("%H:%M")}


@dataclass(frozen=True)
class Problem:
    """A cell's mistake: a message key of forlob_web.i18n and its values."""

    key: str
    values: dict[str, str]


def cell(weekday: int, n: int) -> str:
    return f"w{weekday}_{n}"


def grid_fields(data: dict[str, Any]) -> dict[str, str]:
    """The grid's inputs of a posted form (anything else left alone)."""
    return {k: str(v).strip() for k, v in data.items() if GRID_FIELD.match(k) and isinstance(v, str)}


def opening_windows(opening_hours: list[dict[str, Any]]) -> list[Window]:
    """The programme's opening hours (as the referral service shows them) as windows."""
    return [Window(int(w["weekday"]), _time(w["start"]), _time(w["end"])) for w in opening_hours]


def open_days(opening: list[Window]) -> list[int]:
    """The weekdays the grid offers: those the programme is open, Monday first."""
    return sorted({w.weekday for w in opening})


def grid_of(schedule: list[dict[str, Any]]) -> dict[str, str]:
    """An agreed schedule (the service's windows) as the grid's inputs, to draw it again."""
    values: dict[str, str] = {}
    used: dict[int, int] = {}
    for w in sorted(schedule, key=lambda w: (int(w["weekday"]), str(w["start"]))):
        day = int(w["weekday"])
        used[day] = used.get(day, 0) + 1
        if used[day] > WINDOWS_PER_DAY:
            continue
        name = cell(day, used[day])
        values[f"{name}_start"], values[f"{name}_end"] = str(w["start"])[:5], str(w["end"])[:5]
    return values


def read_grid(values: dict[str, str], opening: list[Window]) -> tuple[list[Window], dict[str, Problem]]:
    """The windows the grid holds and the problem of each cell that is wrong."""
    windows: list[Window] = []
    problems: dict[str, Problem] = {}
    for day in range(7):
        for n in range(1, WINDOWS_PER_DAY + 1):
            name = cell(day, n)
            start_text, end_text = values.get(f"{name}_start", ""), values.get(f"{name}_end", "")
            if not start_text and not end_text:
                continue
            if not start_text or not end_text:
                problems[name] = Problem("grid.half", {})
                continue
            try:
                start, end = _time(start_text), _time(end_text)
            except ValueError:
                problems[name] = Problem("grid.not_a_time", {})
                continue
            if end <= start:
                problems[name] = Problem("grid.end_before_start", {})
                continue
            if not any(o.weekday == day and o.start <= start and end <= o.end for o in opening):
                problems[name] = Problem("grid.outside", {"hours": _hours_of(day, opening)})
                continue
            windows.append(Window(day, start, end))
    return windows, problems


def _hours_of(day: int, opening: list[Window]) -> str:
    spans = [f"{o.start:%H:%M}-{o.end:%H:%M}" for o in opening if o.weekday == day]
    return ", ".join(spans) or "-"


def weekly_hours(windows: list[Window]) -> float:
    minutes = sum((w.end.hour * 60 + w.end.minute) - (w.start.hour * 60 + w.start.minute) for w in windows)
    return minutes / 60


def _time(text: str) -> time:
    return time.fromisoformat(str(text)[:5])
