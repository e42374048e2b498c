"""Words for the course record's and the messages' codes (forlob_referral.domain.course_record,
forlob_referral.domain.messages); a specialist's specialism reads as ``specialty``."""

from __future__ import annotations

from forlob_shared.texts.language import Text

RECORD_CODES: dict[str, dict[str, Text]] = {
    # forlob_referral.domain.course_record.TalkTopic
    "talk_topic": {
        "attendance_hours": Text("Fremmøde", "Närvaro", "Attendance"),
        "work_tasks": Text("Arbejdsopgaver", "Arbetsuppgifter", "Work tasks"),
        "health_situation": Text("Helbred", "Hälsa", "Health"),
        "wellbeing_social": Text("Trivsel", "Välbefinnande", "Wellbeing"),
        "goals_progress": Text("Mål og delmål", "Mål och delmål", "Goals and sub-goals"),
        "work_placement": Text("Virksomhedspraktik", "Praktik på arbetsplats", "Work placement"),
        "practical_matters": Text("Praktiske forhold", "Praktiska frågor", "Practical matters"),
        "next_step": Text("Næste skridt efter forløbet", "Nästa steg efter insatsen", "Next step after the course"),
    },
    # forlob_referral.domain.course_record.MeetingKind
    "meeting_kind": {
        "start_meeting": Text("Opstartsmøde", "Startmöte", "Start meeting"),
        "follow_up": Text("Opfølgningsmøde", "Uppföljningsmöte", "Follow-up meeting"),
        "status_meeting": Text("Statusmøde", "Statusmöte", "Status meeting"),
        "closing_meeting": Text("Afslutningsmøde", "Avslutningsmöte", "Closing meeting"),
    },
    # forlob_referral.domain.course_record.PlaceKind
    "place_kind": {
        "on_site": Text("Hos tilbudsstedet", "Hos anordnaren", "At the provider"),
        "at_jobcentre": Text("På jobcentret", "På arbetsförmedlingen", "At the jobcentre"),
        "video_call": Text("Videomøde", "Videomöte", "Video call"),
        "phone_call": Text("Telefon", "Telefon", "Phone"),
    },
    # forlob_referral.domain.course_record.MeetingStatus
    "meeting_status": {
        "planned": Text("Planlagt", "Planerat", "Planned"),
        "held": Text("Afholdt", "Genomfört", "Held"),
        "cancelled": Text("Aflyst", "Inställt", "Cancelled"),
    },
    # forlob_referral.domain.messages.Side
    "message_side": {
        "provider": Text("Tilbudsstedet", "Anordnaren", "The provider"),
        "referrer": Text("Jobcentret", "Den remitterande myndigheten", "The referring office"),
    },
}
