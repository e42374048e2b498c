"""docs/reporting.md defines every figure the service serves, and nothing it no longer serves.

The served names come from the code that computes each answer, run over a synthetic cohort (so
every nested figure is present), named as the CSV columns are (``waiting_days.median``). A code
keyed map (reasons, outcomes, contact persons) stands as one placeholder (``<reason>``). Each
definition must give all five parts: name, what is counted, from which events, unit, scope.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from forlob_reporting.api.figures import ReferralsReceivedOut, ReferralsReceivedRow
from forlob_reporting.api.tabular import flatten
from forlob_reporting.application.figures import SERIES, group_fields
from forlob_reporting.db.store import MemoryFactStore
from forlob_reporting.domain import figures as f
from forlob_reporting.domain.facts import (
    ALERTS,
    BREACHES,
    CLARIFICATIONS,
    EMPLOYER_CONTACTS,
    HANDOVERS,
    JOB_SPELLS,
    MEETING_REMINDERS,
    MEETINGS,
    OUTREACH_ATTEMPTS,
    OUTREACH_CASES,
    OUTREACH_PHASES,
    PROPOSALS,
    REFERRALS,
    SUPPORT_PHASES,
    VISITS,
    WEEKS,
)
from forlob_reporting.domain.ips import clarification_results, ips_fidelity
from forlob_reporting.domain.merge import local_date
from forlob_reporting.domain.pathways import by_pair, per_handover
from forlob_reporting.domain.projection import project
from forlob_reporting.domain.proposals import proposal_figures
from forlob_reporting.domain.shape_figures import visits
from forlob_reporting.domain.statement import statement as attendance_statement
from forlob_shared.events import decode
from forlob_shared.events.handover import DeclineReason
from forlob_shared.texts import DEFINITIONS, code_text
from forlob_shared.texts.employment_figures import (
    CLARIFICATION_DEFINITIONS,
    CLARIFICATION_FIGURES,
    IPS_DEFINITIONS,
    IPS_FIGURES,
)
from forlob_shared.texts.handover_figures import (
    HANDOVER_DEFINITIONS,
    HANDOVER_FIGURES,
    PROPOSAL_DEFINITIONS,
    PROPOSAL_FIGURES,
)
from forlob_testkit.reporting.cohort import build_cohort
from forlob_testkit.reporting.ips import PERIOD as IPS_PERIOD
from forlob_testkit.reporting.ips import build_ips
from forlob_testkit.reporting.pathways import PERIOD as PATHWAYS_PERIOD
from forlob_testkit.reporting.pathways import build_pathways
from forlob_testkit.reporting.proposals import build_proposals
from forlob_testkit.reporting.shapes import MARCH, build_shapes

DOC = Path(__file__).resolve().parents[4] / "docs" / "reporting.md"
SECTION = "## The figures and their definitions"
# Maps keyed by a code: their keys are values, not names.
KEYED = {
    "absences_by_reason": "<reason>",
    "by_outcome": "<outcome>",
    "per_contact_person": "<contact_person>",
    "closed_by_reason": "<close_reason>",
    "per_consultant": "<consultant>",
    "by_reason": "<end_reason>",
    "by_recommendation": "<recommendation>",
    "declined_by_reason": "<decline_reason>",
}
# What a row is about, not a figure: the group, the week or day of a series, the referral.
DIMENSIONS = {
    "provider_org",
    "programme_code",
    "referring_org",
    "week_start",
    "day",
    "referral_id",
    "next_provider_org",
    "next_programme_code",
    "handover_id",
}


def names(row: Mapping[str, Any], prefix: str = "") -> set[str]:
    found = set()
    for column in flatten(row):
        parts = column.split(".")
        for i, part in enumerate(parts[:-1]):
            if part in KEYED:
                parts[i + 1] = KEYED[part]
        found.add(prefix + ".".join(parts))
    return found - {prefix + d for d in DIMENSIONS}


def served() -> dict[str, set[str]]:
    cohort = build_cohort(60, seed=3)
    store = MemoryFactStore()
    for published in cohort.events:
        store.apply_now(project(decode(published.body())))
    rows = {t.name: list(store.rows[t.name].values()) for t in (REFERRALS, WEEKS, BREACHES, ALERTS)}
    facts = f.GroupFacts(rows[REFERRALS.name], rows[WEEKS.name], rows[BREACHES.name], rows[ALERTS.name], 40)
    period = f.Period(date(2025, 1, 1), cohort.today)
    key = f.GroupKey("rca-aalborg", "RCA-UDV-13", "jobcenter-aalborg")
    answers = {"/figures": names({**group_fields(key), **f.all_figures(facts, period, local_date)})}
    answers["/figures"] |= shape_names()
    answers["/figures/visits"] = visit_names()
    for name, series in SERIES.items():
        answers[f"/figures/{name}"] = set().union(*(names(r) for r in series(facts, period)))
    answers["/figures/ips-fidelity"] = names(ips_fidelity(facts, period)) | ips_names()
    answers["/figures/clarification-results"] = clarification_names()
    answers["/figures/handovers"] = handover_names()
    answers["/figures/next-step-proposals"] = proposal_names()
    # A course with eight summarised weeks or more has every part of a statement.
    long = next(r for r in cohort.referrals if r.end_date and len(r.weeks) >= 8)
    referral = store.rows[REFERRALS.name][(long.referral_id,)]
    weeks = [w for w in rows[WEEKS.name] if w["referral_id"] == long.referral_id]
    statement = dict(attendance_statement(referral, weeks, 3))
    week_rows = statement.pop("weeks")
    answers["/statements/{referral_id}"] = names(statement) | names(week_rows[0], "weeks[].")
    received = set(ReferralsReceivedOut.model_fields) - {"org", "start", "end", "rows"}
    answers["/figures/referrals-received"] = received | {
        f"rows[].{n}" for n in set(ReferralsReceivedRow.model_fields) - DIMENSIONS
    }
    return answers


def _shapes_store() -> MemoryFactStore:
    store = MemoryFactStore()
    for published in build_shapes():
        store.apply_now(project(decode(published.body())))
    return store


def shape_names() -> set[str]:
    """The figures only a meetings-shaped or an outreach programme shows."""
    store = _shapes_store()

    def rows(table: Any) -> list[Any]:
        return list(store.rows[table.name].values())

    period = f.Period(*MARCH)
    meetings = f.GroupFacts(
        referrals=rows(REFERRALS), meetings=rows(MEETINGS), meeting_reminders=rows(MEETING_REMINDERS), shape="meetings"
    )
    outreach = f.GroupFacts(
        outreach_cases=rows(OUTREACH_CASES),
        outreach_attempts=rows(OUTREACH_ATTEMPTS),
        outreach_phases=rows(OUTREACH_PHASES),
        shape="outreach",
    )
    return names(f.all_figures(meetings, period, local_date)) | names(f.all_figures(outreach, period, local_date))


def visit_names() -> set[str]:
    rows = list(_shapes_store().rows[VISITS.name].values())
    return names({"provider_org": "gadeteam", "visits": visits(rows, f.Period(*MARCH), local_date)})


def _ips_facts() -> f.GroupFacts:
    store = MemoryFactStore()
    for published in build_ips():
        store.apply_now(project(decode(published.body())))

    def rows(table: Any) -> list[Any]:
        return list(store.rows[table.name].values())

    return f.GroupFacts(
        referrals=rows(REFERRALS),
        meetings=rows(MEETINGS),
        employer_contacts=rows(EMPLOYER_CONTACTS),
        job_spells=rows(JOB_SPELLS),
        support_phases=rows(SUPPORT_PHASES),
        clarifications=rows(CLARIFICATIONS),
        shape="meetings",
    )


def ips_names() -> set[str]:
    """The items from the facts of the way into work: every keyed map has a key."""
    return names(ips_fidelity(_ips_facts(), f.Period(*IPS_PERIOD)))


def clarification_names() -> set[str]:
    return names(clarification_results(_ips_facts(), f.Period(*IPS_PERIOD)))


def handover_names() -> set[str]:
    """Per programme pair and per handover (``per=handover``)."""
    store = MemoryFactStore()
    for published in build_pathways():
        store.apply_now(project(decode(published.body())))
    found = list(store.rows[HANDOVERS.name].values())
    referrals = {r["referral_id"]: r for r in store.rows[REFERRALS.name].values()}
    period = f.Period(*PATHWAYS_PERIOD)
    return set().union(
        *(names(r) for r in by_pair(found, referrals, period)),
        *(names(r) for r in per_handover(found, referrals, period)),
    )


def proposal_names() -> set[str]:
    store = MemoryFactStore()
    for published in build_proposals():
        store.apply_now(project(decode(published.body())))
    found = list(store.rows[PROPOSALS.name].values())
    return names(proposal_figures(found, f.Period(*PATHWAYS_PERIOD), local_date))


def documented() -> dict[str, dict[str, list[str]]]:
    """Per endpoint (the first `code` of a ### heading): each defined name and its other cells."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    found: dict[str, dict[str, list[str]]] = {}
    endpoint = None
    for line in section.splitlines():
        heading = re.match(r"### .*?`([^`]+)`", line)
        if heading:
            endpoint = heading.group(1)
            found[endpoint] = {}
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if endpoint is None or not cells or not cells[0].startswith("`"):
            continue
        for name in re.findall(r"`([^`]+)`", cells[0]):
            assert name not in found[endpoint], f"{name} is defined twice under {endpoint}"
            found[endpoint][name] = cells[1:]
    return found


def test_every_served_figure_is_defined_and_every_definition_is_served() -> None:
    docs, code = documented(), served()
    assert set(docs) == set(code), "a ### heading per endpoint, named in `backticks`"
    for endpoint, served_names in code.items():
        undefined = served_names - set(docs[endpoint])
        assert not undefined, f"{endpoint} serves figures docs/reporting.md does not define: {sorted(undefined)}"
        gone = set(docs[endpoint]) - served_names
        assert not gone, f"docs/reporting.md defines figures {endpoint} no longer serves: {sorted(gone)}"


def test_every_definition_has_what_is_counted_events_unit_and_scope() -> None:
    for endpoint, definitions in documented().items():
        for name, cells in definitions.items():
            assert len(cells) == 4, f"{endpoint} {name}: what is counted | events | unit | per"
            assert all(cells), f"{endpoint} {name}: an empty cell"


def test_the_pages_explain_a_key_figure_in_the_words_defined_here() -> None:
    """The figures page shows a definition beside each key number (forlob_shared.texts.DEFINITIONS):
    its English is this document's, so the two cannot drift apart; Danish and Swedish translate it."""
    defined = documented()["/figures"]
    for name, text in DEFINITIONS.items():
        assert name in defined, f"{name}: a key figure docs/reporting.md does not define"
        words = re.sub(r"[`*]", "", defined[name][0])
        assert text.en == words, f"{name}: the page says {text.en!r}, docs/reporting.md {words!r}"
        assert len({text.da, text.sv, text.en} - {""}) == 3, f"{name}: not translated"


def test_the_handover_figures_are_named_and_defined_in_each_language_as_here() -> None:
    """Every handover figure has a name in each language; the key ones a definition whose English is
    this document's (forlob_shared.texts.handover_figures)."""
    defined = documented()["/figures/handovers"]
    assert set(HANDOVER_FIGURES) == set(defined)
    for name, found in HANDOVER_FIGURES.items():
        assert len({found.name.da, found.name.sv, found.name.en} - {""}) == 3, name
    for name, text in HANDOVER_DEFINITIONS.items():
        words = re.sub(r"[`*]", "", defined[name][0])
        assert text.en == words, f"{name}: the texts say {text.en!r}, docs/reporting.md {words!r}"
        assert len({text.da, text.sv, text.en} - {""}) == 3, f"{name}: not translated"


def test_the_proposal_figures_are_named_and_defined_in_each_language_as_here() -> None:
    """Every figure of the next steps proposed has a name in each language; the key ones a
    definition whose English is this document's (forlob_shared.texts.handover_figures)."""
    defined = documented()["/figures/next-step-proposals"]
    assert set(PROPOSAL_FIGURES) == set(defined)
    for name, found in PROPOSAL_FIGURES.items():
        assert len({found.name.da, found.name.sv, found.name.en} - {""}) == 3, name
    for name, text in PROPOSAL_DEFINITIONS.items():
        words = re.sub(r"[`*]", "", defined[name][0])
        assert text.en == words, f"{name}: the texts say {text.en!r}, docs/reporting.md {words!r}"
        assert len({text.da, text.sv, text.en} - {""}) == 3, f"{name}: not translated"
    # Each decline reason a figure counts has its words in each language (the catalogue's codes).
    for reason in DeclineReason:
        words = {code_text("handover_decline_reason", str(reason), lang, strict=True) for lang in ("da", "sv", "en")}
        assert len(words - {str(reason)}) == 3, reason


def test_the_ips_and_clarification_figures_are_named_and_defined_in_each_language_as_here() -> None:
    """The IPS fidelity items and clarification results the figures page shows: a name in each
    language for a figure served here (a family by its prefix), and a definition whose English is
    this document's (forlob_shared.texts.employment_figures)."""
    for endpoint, names, definitions in (
        ("/figures/ips-fidelity", IPS_FIGURES, IPS_DEFINITIONS),
        ("/figures/clarification-results", CLARIFICATION_FIGURES, CLARIFICATION_DEFINITIONS),
    ):
        defined = documented()[endpoint]
        for name, found in names.items():
            assert any(d == name or d.startswith(name.split(".per_week")[0] + ".") for d in defined), name
            assert len({found.name.da, found.name.sv, found.name.en} - {""}) == 3, name
        for name, text in definitions.items():
            assert name in defined, f"{name}: not a figure docs/reporting.md defines under {endpoint}"
            words = re.sub(r"[`*]", "", defined[name][0])
            assert text.en == words, f"{name}: the texts say {text.en!r}, docs/reporting.md {words!r}"
            assert len({text.da, text.sv, text.en} - {""}) == 3, f"{name}: not translated"
