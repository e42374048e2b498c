"""What the service's parts share, built from the settings with its runtime, before any consumer
or route runs: the use cases' options and the process's change listener (its runtime's parts)."""

from __future__ import annotations

from dataclasses import dataclass

from forlob_notifications.application.options import Options
from forlob_notifications.channels.listener import ChangeListener
from forlob_notifications.settings import NotificationsSettings


@dataclass(frozen=True)
class Wiring:
    options: Options
    listener: ChangeListener

    @classmethod
    def of(cls, settings: NotificationsSettings) -> Wiring:
        return cls(Options.of(settings), ChangeListener(settings.asyncpg_dsn))
