"""Every code a person reads has words in Danish, Swedish and English (forlob_shared.texts).

The codes are taken from where the services define them (their enums, their figures, their
default policies), not from a copy here: a service that adds a code without words fails this.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import get_args

import pytest

from forlob_attendance.api.schemas import ContactIn
from forlob_attendance.domain import breach
from forlob_attendance.domain.meetings import CancelledBy
from forlob_attendance.domain.meetings import MeetingState as AttendanceMeetingState
from forlob_attendance.domain.sms import TEXT_OUTCOMES
from forlob_notifications.domain.alerts import (
    CONTACT_ATTEMPTED,
    COURSE_ENDED,
    MEETING_PLANNED,
    VISIT_ENDED,
    AlertKind,
    AlertState,
)
from forlob_notifications.domain.directory import ROLES
from forlob_notifications.domain.policy import DANISH_DEFAULTS
from forlob_notifications.partners.notices import CONTACT_MADE
from forlob_referral.domain.course_record import MeetingKind, MeetingStatus, PlaceKind, Specialism, TalkTopic
from forlob_referral.domain.handover import HandoverState
from forlob_referral.domain.messages import Side
from forlob_referral.domain.participant import IdentityScheme
from forlob_referral.domain.programme import ProgrammeKind
from forlob_referral.domain.records import Attainment, Specialty
from forlob_referral.domain.referral import RejectReason, State, WithdrawReason
from forlob_referral.domain.sms import SmsSkipReason
from forlob_referral.domain.sms_catalogue import SmsLanguage
from forlob_reporting.application.figures import group_fields
from forlob_reporting.domain.figures import SHAPES, GroupFacts, GroupKey, Period, all_figures
from forlob_reporting.domain.shape_figures import visits
from forlob_shared.calendar import CLOSURE_REASONS, CUSTOMARY_CODES
from forlob_shared.events.common import AbsenceReason, CadenceKind, MeetingPlace, MeetingTopic, Outcome, ProgrammeShape
from forlob_shared.events.employment import (
    Disclosure,
    EmployerContactKind,
    EmployerSector,
    Recommendation,
    SpellEndReason,
    SpellKind,
    SupportPhase,
    WorkAbilityArea,
)
from forlob_shared.events.handover import DeclineReason, HandoverRelation
from forlob_shared.events.outreach import (
    ConsentMethod,
    ContactChannel,
    ContactOutcome,
    ContactPlace,
    OutreachCloseReason,
    OutreachPhase,
)
from forlob_shared.events.sms import SmsConsentChannel, SmsConsentStatus, SmsReplyCode
from forlob_shared.events.visits import VisitKind
from forlob_shared.partner import partner_event_types
from forlob_shared.texts import (
    CODES,
    FIGURES,
    LANGUAGES,
    MissingText,
    code_text,
    figure,
    raw_codes,
)

ENUMS: list[tuple[str, type[StrEnum]]] = [
    ("outcome", Outcome),
    ("absence_reason", AbsenceReason),
    ("attainment", Attainment),
    ("alert_kind", AlertKind),
    ("alert_state", AlertState),
    ("programme_kind", ProgrammeKind),
    ("reject_reason", RejectReason),
    ("withdraw_reason", WithdrawReason),
    ("referral_state", State),
    ("specialty", Specialty),
    ("identity_scheme", IdentityScheme),
    ("talk_topic", TalkTopic),
    ("meeting_kind", MeetingKind),
    ("place_kind", PlaceKind),
    ("meeting_status", MeetingStatus),
    ("specialty", Specialism),
    ("message_side", Side),
    ("programme_shape", ProgrammeShape),
    ("cadence_kind", CadenceKind),
    ("meeting_place", MeetingPlace),
    ("meeting_topic", MeetingTopic),
    ("outreach_phase", OutreachPhase),
    ("outreach_close_reason", OutreachCloseReason),
    ("contact_place", ContactPlace),
    ("contact_channel", ContactChannel),
    ("outreach_contact_outcome", ContactOutcome),
    ("consent_method", ConsentMethod),
    ("visit_kind", VisitKind),
    ("attendance_meeting_state", AttendanceMeetingState),
    ("meeting_cancelled_by", CancelledBy),
    ("employer_sector", EmployerSector),
    ("employer_contact_kind", EmployerContactKind),
    ("spell_kind", SpellKind),
    ("spell_end_reason", SpellEndReason),
    ("disclosure", Disclosure),
    ("support_phase", SupportPhase),
    ("recommendation", Recommendation),
    ("work_ability_area", WorkAbilityArea),
    ("sms_consent_status", SmsConsentStatus),
    ("sms_consent_channel", SmsConsentChannel),
    ("sms_skip_reason", SmsSkipReason),
    ("sms_reply_code", SmsReplyCode),
    ("sms_language", SmsLanguage),
    ("handover_relation", HandoverRelation),
    ("handover_state", HandoverState),
    ("handover_decline_reason", DeclineReason),
]

OTHER_CODES: list[tuple[str, set[str]]] = [
    ("role", set(ROLES) | {"workshop_lead"}),
    ("legal_basis", set(DANISH_DEFAULTS)),
    ("breach_rule", {breach.WINDOW_RULE, breach.CONSECUTIVE_RULE}),
    # attendance's AbsenceResolved.resolution, and the course's end
    ("close_reason", {"late_arrival", "reported", COURSE_ENDED, VISIT_ENDED, MEETING_PLANNED, CONTACT_ATTEMPTED}),
    ("absence_reason", {"unexplained"}),
    ("slot_state", {"expected", "present", "absent", "excused", "internship", "cancelled"}),
    ("closure_reason", set(CLOSURE_REASONS) | CUSTOMARY_CODES),
    # the outcomes the attendance API takes for a contact attempt (a Literal, read from the schema)
    ("contact_outcome", set(get_args(ContactIn.model_fields["outcome"].annotation))),
    # the contact attempts a participant's reply by text becomes
    ("contact_outcome", set(TEXT_OUTCOMES)),
    # what the referring organisation was told, on the caseworker's timeline: every partner event type
    ("partner_event", {cls.name for cls in partner_event_types().values()}),
    # how contact came back after an unexplained absence (partner absence.contact_reestablished): the
    # contacts notifications forwards, and attendance's resolutions (AbsenceResolved.resolution)
    ("contact_how", set(CONTACT_MADE.values()) | {"late_arrival", "reported"}),
]


@pytest.mark.parametrize(("domain", "enum"), ENUMS, ids=[d for d, _ in ENUMS])
def test_every_value_of_every_enum_a_person_reads_has_words_in_each_language(domain: str, enum: type[StrEnum]) -> None:
    for member in enum:
        for lang in LANGUAGES:
            words = code_text(domain, member.value, lang, strict=True)
            assert words.strip(), (domain, member.value, lang)


@pytest.mark.parametrize(("domain", "codes"), OTHER_CODES, ids=[d for d, _ in OTHER_CODES])
def test_the_codes_that_are_not_enums_have_words_too(domain: str, codes: set[str]) -> None:
    for code in codes:
        for lang in LANGUAGES:
            assert code_text(domain, code, lang, strict=True).strip(), (domain, code, lang)


def _flatten(row: dict[str, object], prefix: str = "") -> list[str]:
    names: list[str] = []
    for key, value in row.items():
        names += _flatten(value, f"{prefix}{key}.") if isinstance(value, dict) else [f"{prefix}{key}"]
    return names


def test_every_figure_the_figures_page_shows_has_a_name_in_each_language() -> None:
    # The figures of an empty group name every figure there is; the families by code come from
    # their catalogues (every outcome, every absence reason).
    period = Period(date(2026, 1, 1), date(2026, 3, 31))
    # Each shape shows its own figures; visits are one row per organisation (/figures/visits).
    names = set(_flatten(group_fields(GroupKey("p", "c", "r"))))
    for shape in SHAPES:
        names |= set(_flatten(all_figures(GroupFacts(shape=shape), period, lambda t: t.date())))
    names |= set(_flatten({"visits": visits([], period, lambda t: t.date())}))
    names |= {f"outcomes.by_outcome.{o.value}" for o in Outcome}
    names |= {f"attendance.absences_by_reason.{r.value}" for r in AbsenceReason}
    names |= {f"outreach.closed_by_reason.{r.value}" for r in OutreachCloseReason}
    assert "occupancy.mean_seats_used" in names
    for name in sorted(names):
        found = figure(name, strict=True)
        assert found is not None
        for lang in LANGUAGES:
            words = found.name.in_language(lang)
            assert words.strip(), (name, lang)
            assert not raw_codes(words), (name, lang, words)
    stale = sorted(set(FIGURES) - names)
    assert stale == [], f"texts for figures reporting no longer has: {stale}"


def test_a_code_without_words_is_found() -> None:
    with pytest.raises(MissingText):
        code_text("outcome", "no_such_outcome", "da", strict=True)
    with pytest.raises(MissingText):
        figure("outcomes.by_outcome.no_such_outcome", strict=True)
    assert code_text("outcome", "no_such_outcome", "da") == "no_such_outcome"  # a page still renders


def test_every_text_is_words_in_each_language_and_none_is_a_code() -> None:
    for domain, codes in CODES.items():
        for code, text in codes.items():
            assert len(text) == len(LANGUAGES)
            for lang in LANGUAGES:
                words = text.in_language(lang)
                assert words.strip(), (domain, code, lang)
                assert not raw_codes(words), (domain, code, lang, words)
                assert not re.fullmatch(r"[a-z_]+", words), (domain, code, lang, words)


def test_raw_codes_finds_codes_and_leaves_words_and_addresses_alone() -> None:
    assert raw_codes("Udfald ordinary_employment") == ["ordinary_employment"]
    assert raw_codes("kind.closing_note_ready") == ["kind.closing_note_ready"]
    assert raw_codes("waiting_days.p90 · occupancy.mean_seats_used") == [
        "occupancy.mean_seats_used",
        "waiting_days.p90",
    ]
    assert raw_codes("Udfald: education", also={"education"}) == ["education"]
    assert raw_codes("Lægeaftale o.l. · Se advarslen: https://forlob.example/alerts/1 · kp1@rca.example") == []
