"""``environment`` is a closed set (development, test, production): a typo in it stops every
service and the web at start, with one line that names the variable and the allowed values,
instead of quietly running a production system without its production guards."""

from __future__ import annotations

import os
from importlib import import_module

import pytest

from forlob_shared.service_cli import run_service_cli
from forlob_web.cli import main as web_main

SERVICES = ("referral", "attendance", "notifications", "reporting")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("FORLOB_"):
            monkeypatch.delenv(name)


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_refuses_to_start_on_a_typo(
    service: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FORLOB_ENVIRONMENT", "prodution")
    with pytest.raises(SystemExit) as stopped:
        run_service_cli(import_module(f"forlob_{service}.main").spec(), ["serve"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"refusing to start: FORLOB_{service.upper()}_ENVIRONMENT or FORLOB_ENVIRONMENT: ")
    assert "'development', 'test' or 'production'" in err
    assert "Traceback" not in err


def test_the_web_refuses_to_start_on_a_typo(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FORLOB_WEB_ENVIRONMENT", "Production")
    with pytest.raises(SystemExit) as stopped:
        web_main(["serve"])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.startswith("refusing to start: FORLOB_WEB_ENVIRONMENT or FORLOB_ENVIRONMENT: ")
