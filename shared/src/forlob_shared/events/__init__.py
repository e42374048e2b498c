"""The versioned event catalogue and the CloudEvents envelope."""

from forlob_shared.events.alerts import (
    AlertAcknowledged,
    AlertClosed,
    AlertEscalated,
    AlertRaised,
    NotificationDelivered,
    NotificationFailed,
)
from forlob_shared.events.attendance import (
    AbsenceDetected,
    AbsenceReported,
    AbsenceResolved,
    AgreementBreached,
    CheckedIn,
    CheckedOut,
    ContactRecorded,
    WeekSummarised,
)
from forlob_shared.events.base import EventData, UnknownEventType, event_class, event_types, register
from forlob_shared.events.catalogue import ProgrammeDefined
from forlob_shared.events.common import (
    AbsenceReason,
    AttendanceRules,
    CadenceKind,
    MeetingCadence,
    MeetingPlace,
    MeetingTopic,
    Outcome,
    ProgrammeShape,
    TimeWindow,
)
from forlob_shared.events.envelope import CONTENT_TYPE, Envelope, InvalidEnvelope, PendingEvent, decode, encode
from forlob_shared.events.meetings import MeetingCadenceOverdue, MeetingCancelled, MeetingHeld, MeetingPlanned
from forlob_shared.events.outreach import (
    OutreachCaseIdentified,
    OutreachCaseOpened,
    OutreachConsentRecorded,
    OutreachContactAttempted,
    OutreachContactOverdue,
    OutreachPhaseChanged,
)
from forlob_shared.events.participant import ParticipantErased
from forlob_shared.events.programme import AgreementChanged, ProgrammeEnded, ProgrammeRescheduled, ProgrammeStarted
from forlob_shared.events.provider import DeclaredClosure, ProviderCalendarChanged
from forlob_shared.events.referral import (
    ReferralAccepted,
    ReferralReceived,
    ReferralRejected,
    ReferralWaitlisted,
    ReferralWithdrawn,
    SeatOffered,
)
from forlob_shared.events.visits import VisitEnded, VisitOverdue, VisitStarted

__all__ = [
    "CONTENT_TYPE",
    "AbsenceDetected",
    "AbsenceReason",
    "AbsenceReported",
    "AbsenceResolved",
    "AgreementBreached",
    "AgreementChanged",
    "AlertAcknowledged",
    "AlertClosed",
    "AlertEscalated",
    "AlertRaised",
    "AttendanceRules",
    "CadenceKind",
    "CheckedIn",
    "CheckedOut",
    "ContactRecorded",
    "DeclaredClosure",
    "Envelope",
    "EventData",
    "InvalidEnvelope",
    "MeetingCadence",
    "MeetingCadenceOverdue",
    "MeetingCancelled",
    "MeetingHeld",
    "MeetingPlace",
    "MeetingPlanned",
    "MeetingTopic",
    "NotificationDelivered",
    "NotificationFailed",
    "Outcome",
    "OutreachCaseIdentified",
    "OutreachCaseOpened",
    "OutreachConsentRecorded",
    "OutreachContactAttempted",
    "OutreachContactOverdue",
    "OutreachPhaseChanged",
    "ParticipantErased",
    "PendingEvent",
    "ProgrammeDefined",
    "ProgrammeEnded",
    "ProgrammeRescheduled",
    "ProgrammeShape",
    "ProgrammeStarted",
    "ProviderCalendarChanged",
    "ReferralAccepted",
    "ReferralReceived",
    "ReferralRejected",
    "ReferralWaitlisted",
    "ReferralWithdrawn",
    "SeatOffered",
    "TimeWindow",
    "UnknownEventType",
    "VisitEnded",
    "VisitOverdue",
    "VisitStarted",
    "WeekSummarised",
    "decode",
    "encode",
    "event_class",
    "event_types",
    "register",
]
