"""The e-mail that tells one side of a referral that a message from the other side waits.

It says that a message waits and where to read it, never what it says: the text stays in the
referral service, behind the sign-in of the thread's page."""

from __future__ import annotations

from uuid import UUID

from forlob_shared.texts import Text

_SUBJECT = Text(
    "Ny besked om henvisning ref. {ref}",
    "Nytt meddelande om remiss ref. {ref}",
    "New message about referral ref. {ref}",
)
_BODY = {
    "provider": Text(
        "Tilbudsstedet har skrevet en besked til dig om henvisningen. Log ind for at læse den.",
        "Anordnaren har skrivit ett meddelande till dig om remissen. Logga in för att läsa det.",
        "The provider has written you a message about the referral. Sign in to read it.",
    ),
    "referrer": Text(
        "Den henvisende sagsbehandler har skrevet en besked til jer om henvisningen. Log ind for at læse den.",
        "Den remitterande handläggaren har skrivit ett meddelande till er om remissen. Logga in för att läsa det.",
        "The referring caseworker has written you a message about the referral. Sign in to read it.",
    ),
}
_LINK = Text("Læs beskeden", "Läs meddelandet", "Read the message")


def thread_page(web_url: str, referral_id: UUID) -> str:
    return f"{web_url.rstrip('/')}/referrals/{referral_id}/messages"


def message_waiting(referral_id: UUID, from_side: str, web_url: str, lang: str) -> dict[str, str]:
    ref = str(referral_id)[:8]
    body = [
        _BODY[from_side].in_language(lang),
        "",
        f"{_LINK.in_language(lang)}: {thread_page(web_url, referral_id)}",
    ]
    return {"subject": _SUBJECT.in_language(lang).format(ref=ref), "body": "\n".join(body) + "\n"}
