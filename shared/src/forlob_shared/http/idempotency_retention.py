"""Forgetting Idempotency-Keys: their stored responses may hold personal data, so a service keeps
them only as long as a retry is plausible (``idempotency_key_days``), not for ever."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from forlob_shared.http.idempotency import IdempotentUnitOfWork, forget_keys_before
from forlob_shared.periodic import periodic
from forlob_shared.runtime import Background, PartsT, Runtime, SettingsT

KeyedUowT = TypeVar("KeyedUowT", bound=IdempotentUnitOfWork)


async def forget_expired_keys(runtime: Runtime[KeyedUowT, SettingsT, PartsT], now: datetime) -> int:
    """One sweep: forget the keys claimed more than ``idempotency_key_days`` ago; returns how many."""
    keep = timedelta(days=runtime.settings.idempotency_key_days)
    async with runtime.uow() as uow:
        forgotten = await forget_keys_before(uow.session, now - keep)
        await uow.commit()
    return forgotten


def idempotency_key_sweep(
    runs_here: Callable[[SettingsT], bool] = lambda settings: True,
) -> Background[KeyedUowT, SettingsT, PartsT]:
    """The service's periodic sweep of its Idempotency-Keys (every ``idempotency_sweep_interval``),
    in the processes ``runs_here`` names: those that run the service's other periodic work."""

    def interval(settings: SettingsT) -> float | None:
        return settings.idempotency_sweep_interval if runs_here(settings) else None

    return periodic("idempotency-keys", forget_expired_keys, interval)
