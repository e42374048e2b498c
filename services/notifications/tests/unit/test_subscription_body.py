"""A webhook subscription may name every event type there is: the partner contract grows, and a
subscription to all of it must not start failing when it does."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from forlob_notifications.api.webhooks import SubscriptionIn, SubscriptionPatch
from forlob_notifications.domain.webhooks import EVENT_TYPES

URL = "https://partner.example/forlob-hooks"


def test_a_subscription_may_name_every_event_type() -> None:
    every = list(EVENT_TYPES)
    assert SubscriptionIn(url=URL, event_types=every).event_types == every
    assert SubscriptionPatch(event_types=every).event_types == every


def test_more_names_than_there_are_types_are_refused() -> None:
    too_many = [*EVENT_TYPES, next(iter(EVENT_TYPES))]
    with pytest.raises(ValidationError, match="at most"):
        SubscriptionIn(url=URL, event_types=too_many)
    with pytest.raises(ValidationError, match="at most"):
        SubscriptionPatch(event_types=too_many)
