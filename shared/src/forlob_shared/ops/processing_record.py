"""The record of processing activities (GDPR Art. 30), made from what the services declare:
each one's data categories with retention and legal basis (``forlob_<service>.domain.
data_categories``), and from the event catalogue who receives what (the events each service
publishes and the ones each consumes), and the partner contract's types for the jobcentre.

The services are imported by name at call time: the shared library does not depend on them,
but the operator's tool runs where all four are installed. docs/data-protection.md is this
function's output; a test fails when it is stale.
"""

from __future__ import annotations

import importlib
from typing import Any

from forlob_shared.dpo import DataCategory

SERVICES = ("referral", "attendance", "notifications", "reporting")
CONTROLLER = (
    "The provider organisation running the course (controller for its own course work; for the "
    "referral it acts on the referring jobcentre's decision). Contact: the provider's data protection officer "
    "(role `dpo` in Forløb)."
)


def _spec(service: str) -> Any:
    return importlib.import_module(f"forlob_{service}.main").spec()


def _categories(service: str) -> tuple[DataCategory, ...]:
    found: tuple[DataCategory, ...] = importlib.import_module(f"forlob_{service}.domain.data_categories").CATEGORIES
    return found


def _consumed(spec: Any) -> set[str]:
    return {key for s in spec.subscriptions_for(spec.settings_cls()) for key in s.routing_keys}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def record_of_processing() -> str:
    from forlob_shared.partner import partner_event_types

    specs = {s: _spec(s) for s in SERVICES}
    consumed = {s: _consumed(spec) for s, spec in specs.items()}
    lines = [
        "# Record of processing activities (GDPR Art. 30)",
        "",
        "<!-- made by `forlob dpo record-of-processing` from the services' declared data categories and",
        "     the event catalogue; tests/contract/test_data_protection_record.py fails when stale -->",
        "",
        f"**Controller.** {CONTROLLER}",
        "",
        "**Purposes.** Running the course of a referral to an employment or rehabilitation programme: intake, "
        "attendance and its follow-up, the notices the referral's legal basis requires, the closing note and "
        "outcome, and statistics on waiting times, attendance and outcomes.",
        "",
        "**Data subjects.** Participants referred by a jobcentre. **Staff** ids and e-mail addresses of the "
        "provider's and the jobcentre's staff are processed to address alerts and audit reads; they are not "
        "part of a participant's access export. The referral service keeps each organisation's staff ids, roles "
        "and whether they are active (from the notifications service's `staff.changed`, no addresses) to check "
        "who took part in a follow-up talk.",
        "",
        "**Transfers to third countries.** None. **Security (Art. 32).** docs/security.md: tokens with roles, "
        "tenancy per organisation, identity numbers only in the referral service and every read audited, "
        "no personal data in events, logs or partner feeds.",
        "",
        "**Rights.** Access (Art. 15): `forlob dpo export`, each service's `GET /dpo/participants/{id}/export`. "
        "Erasure (Art. 17): `POST /dpo/participants/{id}/erasure` in referral, refused while a legal hold "
        "applies (an open course, or a closed one within its retention period), then announced to the other "
        "services as `participant.erased.v1`. Attendance, notifications and reporting each record it in their "
        "erasure register (`erased_subjects`: the pseudonymous participant id and referral ids, and when; nothing "
        "else), which no replay empties: an event about the participant that comes later (redelivered, replayed "
        "from the dead letters, or read again by reporting's rebuild from the history stream) writes nothing "
        "that names them. Attendance and notifications skip it; reporting counts it without the participant id.",
        "",
        "## Categories of personal data, per service",
        "",
        "| service | category | what | kept | legal basis | on erasure |",
        "|---|---|---|---|---|---|",
    ]
    for service in SERVICES:
        for c in _categories(service):
            cells = [service, f"`{c.name}`", c.description, c.retention, c.legal_basis, c.on_erasure]
            lines.append("| " + " | ".join(_cell(x) for x in cells) + " |")
    lines += ["", "## Recipients", "", "| service | sends (internal events) | to |", "|---|---|---|"]
    for service, spec in specs.items():
        for event in spec.publishes:
            to = sorted(s for s in SERVICES if event.routing_key in consumed[s])
            lines.append(
                f"| {service} | `{event.routing_key}` | {', '.join(to) if to else 'the history stream only'} |"
            )
    lines += [
        "",
        "Every internal event also goes to the history stream (`forlob.history`, kept by size) from which "
        "reporting rebuilds. Internal events carry the pseudonymous participant id, never a name, an identity "
        "number or a note.",
        "",
        "**The referring jobcentre** (the partner contract, by AMQP feed and signed webhooks; docs/partners.md) "
        "receives only these types, without the provider's staff:",
        "",
    ]
    lines += [f"- `{cls.routing_key}`: {_cell(cls.description)}" for cls in partner_event_types().values()]
    lines += [
        "",
        "**The provider's staff** receive alerts by e-mail and in the inbox (notifications), addressed by staff id.",
        "",
    ]
    return "\n".join(lines)
