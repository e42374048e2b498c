"""Text messages' pure rules: reading replies in every language and script, quiet hours, the
catalogues (every template in every language), mobile numbers, and when a message may go."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from uuid import uuid4

import pytest

from forlob_referral.domain.sms import SmsContact, SmsMessage, SmsSkipReason, plan
from forlob_referral.domain.sms_catalogue import SmsLanguage, catalogue, render
from forlob_referral.domain.sms_number import masked, msisdn_to_e164, normalise_mobile
from forlob_referral.domain.sms_quiet import QuietHours
from forlob_referral.domain.sms_replies import parse_reply
from forlob_shared.errors import InvalidInput
from forlob_shared.events.sms import SmsConsentChannel, SmsConsentStatus, SmsReplyCode, SmsTemplate
from forlob_shared.redaction import scrub

CPH = "Europe/Copenhagen"
R = SmsReplyCode


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1", R.SICK),
        ("2", R.ON_MY_WAY),
        ("3", R.DOCTOR),
        ("4", R.OTHER_CALL_ME),
        ("1.", R.SICK),
        (" 2 ", R.ON_MY_WAY),
        ("(3)", R.DOCTOR),
        ("4!", R.OTHER_CALL_ME),
        ("1 jeg er syg", R.SICK),
        ("١", R.SICK),
        ("٢", R.ON_MY_WAY),
        ("٣", R.DOCTOR),
        ("٤", R.OTHER_CALL_ME),  # Arabic-Indic
        ("۱", R.SICK),
        ("۲", R.ON_MY_WAY),
        ("۳", R.DOCTOR),
        ("۴", R.OTHER_CALL_ME),  # Eastern Arabic / Persian
        ("፩", R.SICK),
        ("፪", R.ON_MY_WAY),  # Ethiopic
        ("١ أنا مريض", R.SICK),
        ("١.", R.SICK),
        ("one", R.SICK),
        ("Two", R.ON_MY_WAY),
        ("three", R.DOCTOR),
        ("four", R.OTHER_CALL_ME),
        ("tre", R.DOCTOR),
        ("fyra", R.OTHER_CALL_ME),
        ("واحد", R.SICK),
        ("три", R.DOCTOR),
        ("laba", R.ON_MY_WAY),
        ("syg", R.SICK),
        ("sjuk", R.SICK),
        ("på vej", R.ON_MY_WAY),
        ("på väg", R.ON_MY_WAY),
        ("ring til mig", R.OTHER_CALL_ME),
        ("مريض", R.SICK),
        ("хворію", R.SICK),
        ("ሓሚመ", R.SICK),
        ("dhakhtar", R.DOCTOR),
        ("STOP", R.STOP),
        ("stop", R.STOP),
        ("Stopp", R.STOP),
        ("afmeld", R.STOP),
        ("avsluta", R.STOP),
        ("стоп", R.STOP),
        ("توقف", R.STOP),
        ("jooji", R.STOP),
        ("ኣቋርጽ", R.STOP),
        ("STOP.", R.STOP),
        ("stpo", R.STOP),
        ("sotp", R.STOP),
        ("stoop", R.STOP),
        ("threee", R.DOCTOR),
        ("fuor", R.OTHER_CALL_ME),
        ("", R.UNKNOWN),
        ("   ", R.UNKNOWN),
        ("5", R.UNKNOWN),
        ("0", R.UNKNOWN),
        ("12", R.UNKNOWN),
        ("hej", R.UNKNOWN),
        ("I can't stop coughing", R.UNKNOWN),
        ("?", R.UNKNOWN),
    ],
)
def test_a_reply_is_read_as_its_code(text: str, code: SmsReplyCode) -> None:
    assert parse_reply(text) is code


@pytest.mark.parametrize("language", list(SmsLanguage))
def test_every_language_s_own_answers_and_stop_are_understood(language: SmsLanguage) -> None:
    cat = catalogue(language)
    for code, words in cat.answers.items():
        for word in words:
            assert parse_reply(word) is code, (language, word)
            assert parse_reply(f" {word.upper()}. ") is code, (language, word)
    for number, word in enumerate(cat.number_words, start=1):
        assert parse_reply(word) is parse_reply(str(number)), (language, word)
    assert cat.answers[R.STOP], language


FORBIDDEN = re.compile(
    r"forløb|forlob|forloeb|kursus|course|programme|program|aktiv|jobcenter|kommune|rehab|praktik|"
    r"behandling|treatment|depress|angst|anxiety|diagnos|misbrug|addiction|arbetsförmedling|insats",
    re.IGNORECASE,
)


@pytest.mark.parametrize("language", list(SmsLanguage))
@pytest.mark.parametrize("template", list(SmsTemplate))
@pytest.mark.parametrize("local_time", ["08:30", None])
def test_every_template_renders_in_every_language(
    language: SmsLanguage, template: SmsTemplate, local_time: str | None
) -> None:
    text = render(template, language, date(2026, 12, 3), local_time)
    assert "{" not in text
    assert "}" not in text
    assert "3" in text  # the day
    assert "12" in text
    if local_time:
        assert local_time in text
    assert not FORBIDDEN.search(text), text
    if template.value.startswith("question"):
        assert all(digit in text for digit in "1234")
    else:
        assert "STOP" in text
    assert len(text) <= 4 * 67, "at most the gateway's max_parts in UCS-2"


def test_each_catalogue_is_one_reviewable_file_per_language() -> None:
    from forlob_referral.domain.sms_catalogue import TEXTS

    assert sorted(p.stem for p in TEXTS.glob("*.json")) == sorted(lang.value for lang in SmsLanguage)
    assert {lang.value for lang in SmsLanguage} == {"da", "sv", "en", "ar", "so", "uk", "ti"}


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (datetime(2026, 12, 3, 19, 59, tzinfo=UTC), datetime(2026, 12, 3, 19, 59, tzinfo=UTC)),  # 20:59 local
        (datetime(2026, 12, 3, 20, 0, tzinfo=UTC), datetime(2026, 12, 4, 7, 0, tzinfo=UTC)),  # 21:00 local
        (datetime(2026, 12, 3, 23, 30, tzinfo=UTC), datetime(2026, 12, 4, 7, 0, tzinfo=UTC)),  # 00:30 local
        (datetime(2026, 12, 4, 6, 59, tzinfo=UTC), datetime(2026, 12, 4, 7, 0, tzinfo=UTC)),  # 07:59 local
        (datetime(2026, 12, 4, 7, 0, tzinfo=UTC), datetime(2026, 12, 4, 7, 0, tzinfo=UTC)),  # 08:00 local
        (datetime(2026, 6, 3, 19, 30, tzinfo=UTC), datetime(2026, 6, 4, 6, 0, tzinfo=UTC)),  # summer time
    ],
)
def test_quiet_hours_defer_to_their_end_in_the_course_s_zone(at: datetime, expected: datetime) -> None:
    assert QuietHours().next_allowed(at, CPH) == expected


def test_quiet_hours_are_configurable_and_may_lie_within_a_day() -> None:
    lunch = QuietHours(time(12), time(13))
    assert lunch.next_allowed(datetime(2026, 12, 3, 11, 30, tzinfo=UTC), CPH) == datetime(2026, 12, 3, 12, tzinfo=UTC)
    assert QuietHours(time(0), time(0)).next_allowed(datetime(2026, 12, 3, 2, tzinfo=UTC), CPH).hour == 2


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("+45 20 12 34 56", "DK", "+4520123456"),
        ("20123456", "DK", "+4520123456"),
        ("0045 20-12-34-56", "DK", "+4520123456"),
        ("070-123 45 67", "SE", "+46701234567"),
        ("+46 70 123 45 67", "DK", "+46701234567"),
    ],
)
def test_mobile_numbers_are_kept_in_e164(raw: str, region: str, e164: str) -> None:
    assert normalise_mobile(raw, region) == e164
    assert msisdn_to_e164(int(e164[1:])) == e164
    assert masked(e164).endswith(e164[-2:])
    assert e164[3:-2] not in masked(e164)


@pytest.mark.parametrize("raw", ["12", "not a number", "+49 151 23456789", "+46 8 123 456 78", "+4520"])
def test_a_bad_number_is_refused_without_repeating_it(raw: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        normalise_mobile(raw, "DK")
    assert refused.value.extra["field"] == "mobile_number"
    assert raw not in str(refused.value)
    assert "".join(raw.split()) not in str(refused.value)


def test_a_phone_number_never_survives_a_log_line() -> None:
    for shown in ["+4520123456", "+45 20 12 34 56", "004670-123 45 67", "4520123456", "46701234567"]:
        assert scrub(f"to {shown} now") == "to [phone-number] now", shown
    assert scrub("at 2026-12-03T08:00:00+01:00 id 2381703") == "at 2026-12-03T08:00:00+01:00 id 2381703"


def _message(**fields: object) -> SmsMessage:
    values: dict[str, object] = {
        "request_id": uuid4(),
        "referral_id": uuid4(),
        "participant_id": uuid4(),
        "provider_org": "rca-aalborg",
        "template": SmsTemplate.QUESTION_MISSED_ARRIVAL,
        "day": date(2026, 12, 3),
        "local_time": "08:00",
        "absence_id": uuid4(),
        "meeting_id": None,
        "zone": CPH,
        "requested_at": datetime(2026, 12, 3, 8, 30, tzinfo=UTC),
        "expires_at": datetime(2026, 12, 3, 20, 0, tzinfo=UTC),
    }
    values.update(fields)
    return SmsMessage(**values)  # type: ignore[arg-type]


def _contact(status: SmsConsentStatus = SmsConsentStatus.OPTED_IN) -> SmsContact:
    return SmsContact(
        uuid4(),
        uuid4(),
        "rca-aalborg",
        "+4520123456",
        SmsLanguage.DA,
        status,
        SmsConsentChannel.IN_PERSON,
        "cp-1",
        datetime(2026, 12, 1, tzinfo=UTC),
    )


def test_consent_rules_decide_whether_a_message_goes() -> None:
    now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert plan(_message(), _contact(), QuietHours(), now).send
    assert plan(_message(), None, QuietHours(), now).skip is SmsSkipReason.NO_CONSENT
    assert plan(_message(), _contact(SmsConsentStatus.OPTED_OUT), QuietHours(), now).skip is SmsSkipReason.OPTED_OUT
    late = now.replace(hour=20)
    assert plan(_message(), _contact(), QuietHours(), late).skip is SmsSkipReason.EXPIRED
    evening = now.replace(hour=20, minute=30)  # 21:30 local, quiet; the reminder holds until tomorrow
    reminder = _message(template=SmsTemplate.REMINDER_FIRST_DAY, expires_at=evening + timedelta(days=1))
    assert plan(reminder, _contact(), QuietHours(), evening).defer_until == datetime(2026, 12, 4, 7, tzinfo=UTC)
    # quiet until after it expires: skipped as expired, never sent inside the quiet hours
    short = _message(expires_at=evening + timedelta(hours=2))
    assert plan(short, _contact(), QuietHours(), evening).skip is SmsSkipReason.EXPIRED


def test_a_withdrawal_is_recorded_once() -> None:
    contact = _contact()
    now = datetime(2026, 12, 3, tzinfo=UTC)
    assert contact.opt_out(SmsConsentChannel.SMS_STOP, None, now)
    assert not contact.opt_out(SmsConsentChannel.PHONE, "cp-1", now)
    assert (contact.status, contact.channel, contact.changed_by) == (
        SmsConsentStatus.OPTED_OUT,
        SmsConsentChannel.SMS_STOP,
        None,
    )
