"""`make reset` (deploy/local/reset.py): what it drops, recorded rather than dropped. Only the
development names on this machine; never a test run's prefixed objects, nor anything elsewhere."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _load() -> Any:
    spec = importlib.util.spec_from_file_location("forlob_local_reset", ROOT / "deploy/local/reset.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


reset = _load()

QUEUES = [
    "forlob.history",
    "referral.catalogue",
    "notifications.alerts",
    "notifications.alerts.dlq",
    "reporting.read-model",
    "partner.jobcenter-aalborg.events",
    # a test run's (random prefix), and something else on the same broker
    "t6947fdef.5.notifications.alerts",
    "taf0566e9.web.forlob.history",
    "t1.partner.jobcenter-aalborg.events",
    "celery",
    "forlobber.jobs",
]
DEFINITION_USERS = ["referral", "attendance", "notifications", "reporting", "operator", "monitoring", "admin"]


class Recorder:
    def __init__(self) -> None:
        self.log: list[tuple[str, Any]] = []
        self.existing_users = {"partner-jobcenter-aalborg", "guest"}

    def say(self, text: str) -> None:
        self.log.append(("say", text))

    async def drop_database(self, server_url: str, name: str) -> None:
        self.log.append(("database", (server_url, name)))

    async def delete_vhost(self, name: str) -> None:
        self.log.append(("vhost", name))

    async def delete_queue(self, name: str) -> None:
        self.log.append(("queue", name))

    async def delete_exchange(self, name: str) -> None:
        self.log.append(("exchange", name))

    async def delete_user(self, name: str) -> bool:
        self.log.append(("user", name))
        return name in self.existing_users

    def remove_tree(self, path: Path) -> None:
        self.log.append(("path", path))


def test_the_development_names_are_dropped_after_saying_so() -> None:
    plan = reset.plan({}, {"/": QUEUES})
    assert plan.vhosts == []  # `make up` has not made the vhost of deploy/rabbitmq here
    assert plan.databases == [
        ("postgresql://postgres@127.0.0.1:5432/postgres", f"forlob_{s}")
        for s in ("referral", "attendance", "notifications", "reporting")
    ]
    assert plan.queues == sorted(QUEUES[:6])
    assert plan.exchanges == ["forlob.events", "forlob.dead-letter", "forlob.partners"]
    assert plan.users == ["partner-jobcenter-aalborg", *DEFINITION_USERS]
    assert plan.paths == [ROOT / "var"]

    recorder = Recorder()
    asyncio.run(reset.carry_out(plan, recorder))
    first_drop = next(i for i, (kind, _) in enumerate(recorder.log) if kind != "say")
    said = "\n".join(text for kind, text in recorder.log[:first_drop])
    for name in ("forlob_referral", "forlob_reporting", "partner.jobcenter-aalborg.events", "forlob.events", "var/"):
        assert name in said
    assert "admin" in said
    assert "partner-jobcenter-aalborg" in said
    dropped = [value for kind, value in recorder.log if kind == "queue"]
    assert dropped == plan.queues
    assert not any(kind == "user" and value == "guest" for kind, value in recorder.log)
    assert recorder.log[-1][1].startswith("reset: done (of those, 1 broker users existed;")


def test_a_name_prefix_is_the_development_one() -> None:
    plan = reset.plan({"FORLOB_NAME_PREFIX": "t1."}, {"/": QUEUES})
    assert plan.queues == ["t1.partner.jobcenter-aalborg.events"]
    assert plan.exchanges == ["t1.forlob.events", "t1.forlob.dead-letter", "t1.forlob.partners"]
    assert plan.users[0] == "t1.partner-jobcenter-aalborg"


def test_servers_elsewhere_and_other_database_names_are_left_alone() -> None:
    env = {
        "FORLOB_BROKER_URL": "amqp://u:p@mq.example:5672/forlob",
        "FORLOB_REFERRAL_DATABASE_URL": "postgresql://u@db.example:5432/forlob_referral",
        "FORLOB_ATTENDANCE_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/attendance_prod_copy",
    }
    plan = reset.plan(env, {"/": QUEUES, "forlob": ["partner.jobcenter-odense.events"]})
    assert [name for _, name in plan.databases] == ["forlob_notifications", "forlob_reporting"]
    assert plan.vhosts == plan.queues == plan.exchanges == plan.users == []
    assert len(plan.left_alone) == 3
    assert any("attendance_prod_copy" in line for line in plan.describe())


def test_the_vhost_make_up_imports_goes_whole_and_the_default_one_never() -> None:
    # `make up` imports deploy/rabbitmq's vhost `forlob` with the services' users; the default
    # vhost `/` is shared with the test runs: only the development names go there.
    forlob = ["forlob.history", "notifications.alerts", "partner.jobcenter-odense.events"]
    plan = reset.plan({}, {"/": ["t6947fdef.5.notifications.alerts", "celery"], "forlob": forlob})
    assert plan.vhosts == ["forlob"]
    assert plan.queues == []
    assert plan.exchanges == ["forlob.events", "forlob.dead-letter", "forlob.partners"]
    assert plan.users == ["partner-jobcenter-odense", *DEFINITION_USERS]
    assert "  broker vhost 'forlob' with every queue, exchange and right in it" in plan.describe()
    recorder = Recorder()
    asyncio.run(reset.carry_out(plan, recorder))
    assert ("vhost", "forlob") in recorder.log
    assert not any(kind == "vhost" and value == "/" for kind, value in recorder.log)
    # pointed at that vhost itself (as the services' URLs are), it goes whole all the same
    again = reset.plan({"FORLOB_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672/forlob"}, {"forlob": forlob})
    assert again.vhosts == ["forlob"]
    assert again.queues == again.exchanges == []
    assert again.users[0] == "partner-jobcenter-odense"


def test_each_partners_vhost_goes_whole_with_its_user_and_a_test_runs_never() -> None:
    """`forlob partners add` gives each partner a vhost of its own (its queue and shovel in it)."""
    vhosts = {
        "/": ["partner.jobcenter-aalborg.events"],
        "partner.jobcenter-aalborg": [],
        "partner.jobcenter-odense": [],  # its source queue already gone: the vhost alone tells
        "t6947fdef.5.partner.jobcenter-aalborg": [],  # a test run's
    }
    plan = reset.plan({}, vhosts)
    assert plan.vhosts == ["partner.jobcenter-aalborg", "partner.jobcenter-odense"]
    assert plan.users == ["partner-jobcenter-aalborg", "partner-jobcenter-odense", *DEFINITION_USERS]
    assert "  broker vhost 'partner.jobcenter-odense' with every queue, exchange and right in it" in plan.describe()
    assert reset.plan({"FORLOB_NAME_PREFIX": "t1."}, {"t1.partner.x": []}).vhosts == ["t1.partner.x"]


def test_the_partners_vhosts_go_before_the_services_one() -> None:
    # A shovel whose source vhost goes first keeps reconnecting after its own vhost is deleted, and
    # declares its source queue again, without the length limit, in the vhost `make up` makes anew.
    plan = reset.plan({}, {"forlob": ["partner.jobcenter-aalborg.events"], "partner.jobcenter-aalborg": []})
    assert plan.vhosts == ["partner.jobcenter-aalborg", "forlob"]
    recorder = Recorder()
    asyncio.run(reset.carry_out(plan, recorder))
    assert [value for kind, value in recorder.log if kind == "vhost"] == ["partner.jobcenter-aalborg", "forlob"]
