"""The words of the course record's and the messages' pages, in Danish, Swedish and English
(merged into ``forlob_web.i18n.MESSAGES``; the codes' words are in ``forlob_shared.texts``)."""

from __future__ import annotations

from forlob_shared.texts import Text

RECORD_MESSAGES: dict[str, Text] = {
    "record.title": Text("Forløbsjournal", "Insatsjournal", "Course record"),
    "record.link": Text("Forløbsjournal", "Insatsjournal", "Course record"),
    "record.back": Text("Tilbage til henvisningen", "Tillbaka till remissen", "Back to the referral"),
    "record.talks": Text("Opfølgningssamtaler", "Uppföljningssamtal", "Follow-up talks"),
    "record.no_talks": Text("Ingen samtaler endnu.", "Inga samtal ännu.", "No talks yet."),
    "record.held_on": Text("Dato", "Datum", "Date"),
    "record.who": Text("Deltog (medarbejder-id)", "Deltog (personal-id)", "Who took part (staff ids)"),
    "record.who_hint": Text(
        "Adskil med komma, fx co-3, kp-1",
        "Separera med kommatecken, t.ex. co-3, kp-1",
        "Separate with commas, e.g. co-3, kp-1",
    ),
    "record.who_chooser": Text("Hvem deltog", "Vilka deltog", "Who took part"),
    "record.who_chooser_hint": Text(
        "Organisationens medarbejdere fra medarbejderlisten; vælg én eller flere.",
        "Organisationens medarbetare från personallistan; välj en eller flera.",
        "Your organisation's staff from the staff directory; choose one or more.",
    ),
    "record.you": Text("dig", "du", "you"),
    "record.unknown_staff": Text(
        "Ikke registreret som medarbejder: {ids}. Samtalen er ikke gemt.",
        "Inte registrerad som medarbetare: {ids}. Samtalet är inte sparat.",
        "Not in the staff directory: {ids}. The talk is not saved.",
    ),
    "record.topics": Text("Emner", "Ämnen", "Topics"),
    "record.next_steps": Text("Aftalte næste skridt", "Överenskomna nästa steg", "Agreed next steps"),
    "record.add_talk": Text("Registrér samtale", "Registrera samtal", "Record the talk"),
    "record.talk_saved": Text("Samtalen er registreret.", "Samtalet är registrerat.", "The talk is recorded."),
    "record.meetings": Text("Møder", "Möten", "Meetings"),
    "record.no_meetings": Text("Ingen møder endnu.", "Inga möten ännu.", "No meetings yet."),
    "record.kind": Text("Slags møde", "Typ av möte", "Kind of meeting"),
    "record.starts_at": Text("Tidspunkt", "Tidpunkt", "Time"),
    "record.place": Text("Sted", "Plats", "Place"),
    "record.status": Text("Status", "Status", "Status"),
    "record.caseworker_invited": Text(
        "Sagsbehandleren er inviteret", "Handläggaren är inbjuden", "The caseworker is invited"
    ),
    "record.invited_yes": Text("Inviteret", "Inbjuden", "Invited"),
    "record.invited_no": Text("Ikke inviteret", "Inte inbjuden", "Not invited"),
    "record.book": Text("Book mødet", "Boka mötet", "Book the meeting"),
    "record.meeting_booked": Text("Mødet er booket.", "Mötet är bokat.", "The meeting is booked."),
    "record.mark_held": Text("Markér som afholdt", "Markera som genomfört", "Mark as held"),
    "record.mark_cancelled": Text("Aflys", "Ställ in", "Cancel"),
    "record.meeting_settled": Text("Mødet er opdateret.", "Mötet är uppdaterat.", "The meeting is updated."),
    "record.notes": Text("Specialistnotater", "Specialistanteckningar", "Specialist notes"),
    "record.no_notes": Text(
        "Ingen specialistnotater, du kan læse.",
        "Inga specialistanteckningar som du kan läsa.",
        "No specialist notes you may read.",
    ),
    "record.notes_who": Text(
        "Specialistnotater læses af tilbudsstedets specialister og koordinator; sagsbehandleren læser et "
        "notat, når det er vedhæftet afslutningsnotatet.",
        "Specialistanteckningar läses av anordnarens specialister och samordnare; handläggaren läser en "
        "anteckning när den är bifogad slutanteckningen.",
        "Specialist notes are read by the provider's specialists and coordinator; the caseworker reads a "
        "note once it is attached to the closing note.",
    ),
    "record.specialism": Text("Faggruppe", "Yrkesgrupp", "Specialism"),
    "record.note_text": Text("Notat", "Anteckning", "Note"),
    "record.write_note": Text("Gem notatet", "Spara anteckningen", "Save the note"),
    "record.note_saved": Text("Notatet er gemt.", "Anteckningen är sparad.", "The note is saved."),
    "record.attach": Text("Vedhæft afslutningsnotatet", "Bifoga slutanteckningen", "Attach to the closing note"),
    "record.attached": Text("Vedhæftet afslutningsnotatet", "Bifogad slutanteckningen", "Attached to the closing note"),
    "record.note_attached": Text(
        "Notatet er vedhæftet afslutningsnotatet.",
        "Anteckningen är bifogad slutanteckningen.",
        "The note is attached to the closing note.",
    ),
    "record.by": Text("Af", "Av", "By"),
    "messages.title": Text("Beskeder", "Meddelanden", "Messages"),
    "messages.link": Text("Beskeder", "Meddelanden", "Messages"),
    "messages.none": Text("Ingen beskeder endnu.", "Inga meddelanden ännu.", "No messages yet."),
    "messages.intro": Text(
        "Beskeder om denne henvisning mellem tilbudsstedet og sagsbehandleren. Modparten får en e-mail om, "
        "at der er en besked, men ikke hvad den siger.",
        "Meddelanden om denna remiss mellan anordnaren och handläggaren. Motparten får ett e-postmeddelande "
        "om att det finns ett meddelande, men inte vad det säger.",
        "Messages about this referral between the provider and the caseworker. The other side gets an "
        "e-mail that a message waits, not what it says.",
    ),
    "messages.text": Text("Din besked", "Ditt meddelande", "Your message"),
    "messages.send": Text("Send beskeden", "Skicka meddelandet", "Send the message"),
    "messages.sent": Text("Beskeden er sendt.", "Meddelandet är skickat.", "The message is sent."),
    "messages.read": Text("Læst {when} af {who}", "Läst {when} av {who}", "Read {when} by {who}"),
    "messages.unread": Text("Ikke læst endnu", "Inte läst ännu", "Not read yet"),
    "messages.from": Text("Fra", "Från", "From"),
}
