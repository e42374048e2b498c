"""The figures page's IPS fidelity items, clarification results, handovers and next steps proposed
(reporting's /figures/ips-fidelity, /figures/clarification-results, /figures/handovers and
/figures/next-step-proposals): each row of a table becomes a card of key figures, each with its
value in the reader's words, the figures around it and the definitions of what is counted
(forlob_shared.texts.employment_figures and handover_figures, whose English is docs/reporting.md's)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from forlob_shared.texts import Text, code_text, unit_text
from forlob_shared.texts.employment_figures import (
    CLARIFICATION_DEFINITIONS,
    CLARIFICATION_FIGURES,
    IPS_DEFINITIONS,
    IPS_FIGURES,
)
from forlob_shared.texts.figures import Figure
from forlob_shared.texts.handover_figures import (
    HANDOVER_DEFINITIONS,
    HANDOVER_FIGURES,
    PROPOSAL_DEFINITIONS,
    PROPOSAL_FIGURES,
)
from forlob_web.i18n import number_words, translator

# The programme kind whose courses the IPS fidelity items are about (forlob_referral's ProgrammeKind.IPS).
IPS_KIND = "ips"


@dataclass
class Item:
    """One key figure: its name and value, the figures around it, and what each counts."""

    name: str
    value: str
    context: list[tuple[str, str]] = field(default_factory=list)
    definitions: list[str] = field(default_factory=list)


@dataclass
class Card:
    title: str
    items: list[Item]


class _Words:
    def __init__(self, lang: str, figures: dict[str, Figure], definitions: dict[str, Text]) -> None:
        self.lang, self.figures, self.definitions = lang, figures, definitions
        self.number, self.t = number_words(lang), translator(lang)

    def name(self, key: str) -> str:
        return self.figures[key].name.in_language(self.lang)

    def value(self, key: str, raw: Any) -> str:
        if raw is None:
            return str(self.t("not_applicable"))
        unit = self.figures[key].unit
        if unit == "share":
            return f"{self.number(round(raw * 100, 1))} %"
        if unit == "text":
            return str(raw)
        words = unit_text(unit, self.lang)
        return f"{self.number(raw)} {words}" if words else str(self.number(raw))

    def item(self, key: str, raw: Any, context: list[tuple[str, str]], *defined: str) -> Item:
        meant = [self.definitions[d].in_language(self.lang) for d in defined]
        return Item(self.name(key), self.value(key, raw), context, meant)

    def around(self, key: str, raw: Any) -> tuple[str, str]:
        return self.name(key), self.value(key, raw)


def ips_cards(rows: list[dict[str, Any]], lang: str) -> list[Card]:
    """One card per IPS programme (and ``general`` job development): caseloads against the scale's
    limit, rapid job search, employer contacts, into work or education, time to the first job,
    time-unlimited support and jobs ended."""
    w = _Words(lang, IPS_FIGURES, IPS_DEFINITIONS)
    cards = []
    for row in rows:
        caseload, search, contacts = row["caseload"], row["rapid_job_search"], row["employer_contacts"]
        into, support, ended = row["into_work_or_education"], row["time_unlimited_support"], row["jobs_ended"]
        each = w.name("caseload.per_contact_person")
        per_week = w.name("employer_contacts.per_consultant.per_week")
        items = [
            w.item(
                "caseload.max",
                caseload["max"],
                [
                    w.around("caseload.threshold_max", caseload["threshold_max"]),
                    w.around("caseload.contact_persons_over_threshold", caseload["contact_persons_over_threshold"]),
                    *((f"{each}: {who}", w.number(n)) for who, n in sorted(caseload["per_contact_person"].items())),
                ],
                "caseload.per_contact_person.<contact_person>",
                "caseload.max",
                "caseload.contact_persons_over_threshold",
            ),
            w.item(
                "rapid_job_search.share_within_threshold",
                search["share_within_threshold"],
                [
                    w.around("rapid_job_search.courses", search["courses"]),
                    w.around("rapid_job_search.decided", search["decided"]),
                ],
                "rapid_job_search.courses",
                "rapid_job_search.decided",
                "rapid_job_search.share_within_threshold",
            ),
            w.item(
                "employer_contacts.total",
                contacts["total"],
                [
                    (f"{per_week}: {who}", w.number(c["per_week"]))
                    for who, c in sorted(contacts["per_consultant"].items())
                ],
                "employer_contacts.total",
                "employer_contacts.per_consultant.<consultant>.per_week",
            ),
            w.item(
                "into_work_or_education.share",
                into["share"],
                [
                    w.around("into_work_or_education.courses_ended", into["courses_ended"]),
                    w.around("into_work_or_education.ever_employed", into["ever_employed"]),
                ],
                "into_work_or_education.courses_ended",
                "into_work_or_education.ever_employed",
            ),
            w.item(
                "days_start_to_first_job.median",
                row["days_start_to_first_job"]["median"],
                [w.around("days_start_to_first_job.count", row["days_start_to_first_job"]["count"])],
                "days_start_to_first_job.median",
            ),
            w.item(
                "time_unlimited_support.in_support",
                support["in_support"],
                [w.around("time_unlimited_support.days_in_support.median", support["days_in_support"]["median"])],
                "time_unlimited_support.in_support",
                "time_unlimited_support.days_in_support.median",
            ),
            w.item(
                "jobs_ended.count",
                ended["count"],
                [w.around("jobs_ended.search_resumed", ended["search_resumed"])],
                "jobs_ended.count",
                "jobs_ended.search_resumed",
            ),
        ]
        cards.append(Card(f"{row['programme_code']} · {row['provider_org']}", items))
    return cards


def clarification_cards(rows: list[dict[str, Any]], lang: str) -> list[Card]:
    """One card per clarification programme (per jobcentre with by=referring_org): the results by
    recommendation and the evidence behind them."""
    w = _Words(lang, CLARIFICATION_FIGURES, CLARIFICATION_DEFINITIONS)
    cards = []
    for row in rows:
        by = [
            (code_text("recommendation", code, lang), w.number(n))
            for code, n in sorted(row["by_recommendation"].items())
        ]
        items = [
            w.item("results", row["results"], by, "results"),
            w.item("meetings_held.median", row["meetings_held"]["median"], [], "meetings_held.median"),
            w.item("with_work_trial", row["with_work_trial"], [], "with_work_trial"),
            w.item("with_specialist_assessment", row["with_specialist_assessment"], [], "with_specialist_assessment"),
        ]
        title = f"{row['programme_code']} · {row['provider_org']}"
        cards.append(Card(title + (f" · {row['referring_org']}" if row.get("referring_org") else ""), items))
    return cards


def handover_cards(rows: list[dict[str, Any]], lang: str) -> list[Card]:
    """One card per programme pair: handovers whose next step started, the days without any
    programme between the two steps and the share with no gap, and the next steps not (yet) taken."""
    w = _Words(lang, HANDOVER_FIGURES, HANDOVER_DEFINITIONS)
    cards = []
    for row in rows:
        gap = row["days_without_programme"]
        items = [
            w.item("handovers", row["handovers"], [w.around("overlapping", row["overlapping"])], "handovers"),
            w.item(
                "share_without_gap",
                row["share_without_gap"],
                [
                    w.around("days_without_programme.median", gap["median"]),
                    w.around("days_without_programme.mean", gap["mean"]),
                ],
                "days_without_programme",
                "share_without_gap",
            ),
            w.item(
                "not_started",
                row["not_started"],
                [w.around("next_step_not_taken", row["next_step_not_taken"])],
            ),
        ]
        before = f"{row['programme_code']} · {row['provider_org']}"
        after = f"{row['next_programme_code']} · {row['next_provider_org']}"
        cards.append(Card(f"{before} → {after}", items))
    return cards


def proposal_cards(rows: list[dict[str, Any]], lang: str) -> list[Card]:
    """One card per programme (per jobcentre with by=referring_org): the next steps proposed in the
    period, what became of them (the declined by reason, in words) and the days to decision."""
    w = _Words(lang, PROPOSAL_FIGURES, PROPOSAL_DEFINITIONS)
    cards = []
    for row in rows:
        reasons = [
            (code_text("handover_decline_reason", code, lang), w.number(n))
            for code, n in row["declined_by_reason"].items()
            if n
        ]
        items = [
            w.item(
                "proposals",
                row["proposals"],
                [w.around(k, row[k]) for k in ("accepted", "withdrawn", "open")],
                "proposals",
            ),
            w.item("declined", row["declined"], reasons, "declined"),
            w.item("median_days_to_decision", row["median_days_to_decision"], [], "median_days_to_decision"),
        ]
        title = f"{row['programme_code']} · {row['provider_org']}"
        cards.append(Card(title + (f" · {row['referring_org']}" if row.get("referring_org") else ""), items))
    return cards


def has_ips(programmes: list[dict[str, Any]], org: str) -> bool:
    """Whether the organisation provides an IPS programme (the only ones with fidelity items)."""
    return any(p.get("kind") == IPS_KIND and p.get("provider_org") == org for p in programmes)
