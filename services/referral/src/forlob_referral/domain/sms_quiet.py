"""Quiet hours: no text message is sent to a participant between, by default, 21:00 and 08:00 in
the course's time zone; one asked for then waits until the quiet hours end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuietHours:
    start: time = time(21, 0)
    end: time = time(8, 0)

    def quiet_at(self, local: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end  # across midnight

    def next_allowed(self, at: datetime, zone: str) -> datetime:
        """``at`` if a message may go then, else the end of the quiet hours it falls in (aware, in the zone)."""
        tz = ZoneInfo(zone)
        local = at.astimezone(tz)
        if not self.quiet_at(local.time().replace(tzinfo=None)):
            return at
        day = local.date()
        if self.start > self.end and local.time() >= self.start:
            day += timedelta(days=1)  # evening: the quiet hours end tomorrow morning
        return datetime.combine(day, self.end, tzinfo=tz)


def parse_clock(text: str) -> time:
    """``"21:00"`` as a time (the settings' form)."""
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))
