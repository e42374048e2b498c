"""The events this service publishes (through its outbox)."""

from forlob_shared.events import ParticipantErased, ReferralReceived
from forlob_shared.events.catalogue import ProgrammeDefined
from forlob_shared.events.employment import (
    ClarificationResult,
    EmployerContacted,
    EmployerRegistered,
    JobEnded,
    JobStarted,
    PhaseChanged,
)
from forlob_shared.events.handover import (
    CourseReferredOn,
    HandoverMeetingHeld,
    HandoverMeetingPlanned,
    NextStepDeclined,
    NextStepProposed,
    NextStepWithdrawn,
)
from forlob_shared.events.outreach import (
    OutreachCaseIdentified,
    OutreachCaseOpened,
    OutreachConsentRecorded,
    OutreachContactAttempted,
    OutreachContactOverdue,
    OutreachPhaseChanged,
)
from forlob_shared.events.programme import AgreementChanged, ProgrammeEnded, ProgrammeRescheduled, ProgrammeStarted
from forlob_shared.events.referral import (
    MessagePosted,
    ReferralAccepted,
    ReferralRejected,
    ReferralWaitlisted,
    ReferralWithdrawn,
    SeatOffered,
)
from forlob_shared.events.sms import SmsConsentChanged, SmsReplied

PUBLISHES = (
    ProgrammeDefined,
    ReferralReceived,
    ReferralAccepted,
    ReferralWaitlisted,
    ReferralRejected,
    ReferralWithdrawn,
    SeatOffered,
    ProgrammeStarted,
    ProgrammeRescheduled,
    AgreementChanged,
    ProgrammeEnded,
    MessagePosted,
    ParticipantErased,
    OutreachCaseOpened,
    OutreachContactAttempted,
    OutreachPhaseChanged,
    OutreachConsentRecorded,
    OutreachCaseIdentified,
    OutreachContactOverdue,
    EmployerRegistered,
    EmployerContacted,
    JobStarted,
    JobEnded,
    PhaseChanged,
    ClarificationResult,
    SmsReplied,
    SmsConsentChanged,
    NextStepProposed,
    NextStepDeclined,
    NextStepWithdrawn,
    CourseReferredOn,
    HandoverMeetingPlanned,
    HandoverMeetingHeld,
)
