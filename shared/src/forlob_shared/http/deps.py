"""FastAPI dependencies every service's routes share: the running service's runtime, typed, and
a unit of work from it (a new one per request)."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from fastapi import Request

from forlob_shared.db import UnitOfWork
from forlob_shared.runtime import PartsT, Runtime, SettingsT, UowT
from forlob_shared.settings import ServiceSettings


def current_runtime(request: Request) -> Runtime[UnitOfWork, ServiceSettings, object]:
    """The runtime the app's lifespan built, as far as every service's runtime is alike."""
    runtime = request.app.state.runtime
    if not isinstance(runtime, Runtime):
        raise TypeError("the app has no service runtime: is it a forlob_shared.service app, started?")
    return cast(Runtime[UnitOfWork, ServiceSettings, object], runtime)


def runtime_dependency(
    uow_class: type[UowT], settings_cls: type[SettingsT], parts_cls: type[PartsT]
) -> Callable[[Request], Runtime[UowT, SettingsT, PartsT]]:
    """A dependency giving one service's runtime with its own types (checked once per request)."""

    def dependency(request: Request) -> Runtime[UowT, SettingsT, PartsT]:
        runtime = current_runtime(request)
        if not (
            issubclass(runtime.spec.uow_class, uow_class)
            and isinstance(runtime.settings, settings_cls)
            and isinstance(runtime.parts, parts_cls)
        ):
            raise TypeError(f"the app runs {runtime.spec.name}, not a service with {settings_cls.__name__}")
        return cast(Runtime[UowT, SettingsT, PartsT], runtime)

    return dependency


def unit_of_work(uow_class: type[UowT]) -> Callable[[Request], UowT]:
    """A dependency giving a new unit of work of ``uow_class`` per request."""

    def dependency(request: Request) -> UowT:
        uow = current_runtime(request).uow()
        if not isinstance(uow, uow_class):
            raise TypeError(f"the app's unit of work is {type(uow).__name__}, not {uow_class.__name__}")
        return uow

    return dependency
