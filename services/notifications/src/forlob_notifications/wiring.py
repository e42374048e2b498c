"""What the service's parts share once it runs: options from the settings, the change listener
and the channel senders. The composition root makes one per app; the lifespan fills it in."""

from __future__ import annotations

from dataclasses import dataclass, field

from forlob_notifications.application.options import Options
from forlob_notifications.channels.listener import ChangeListener
from forlob_notifications.channels.senders import ChannelSenders


@dataclass
class Wiring:
    options: Options = field(default_factory=Options)
    listener: ChangeListener | None = None
    senders: ChannelSenders | None = None
