"""The events this service publishes (through its outbox)."""

from forlob_shared.events import (
    AbsenceDetected,
    AbsenceReported,
    AbsenceResolved,
    AgreementBreached,
    CheckedIn,
    CheckedOut,
    ContactRecorded,
    InternshipPlanned,
    MeetingCadenceOverdue,
    MeetingCancelled,
    MeetingHeld,
    MeetingPlanned,
    ProviderCalendarChanged,
    SmsRequested,
    WeekSummarised,
)

PUBLISHES = (
    CheckedIn,
    CheckedOut,
    AbsenceReported,
    InternshipPlanned,
    AbsenceDetected,
    AbsenceResolved,
    ContactRecorded,
    AgreementBreached,
    WeekSummarised,
    ProviderCalendarChanged,
    MeetingPlanned,
    MeetingHeld,
    MeetingCancelled,
    MeetingCadenceOverdue,
    SmsRequested,  # an internal command to referral: never in the partner contract
)
