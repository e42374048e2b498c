"""Where the referral service keeps work and the way into it (docs/referral.md#work-and-the-way-into-it):
every path the caseload, the employer register and one participant's work call, in one place."""

from __future__ import annotations

from typing import Any

from forlob_web.client import Api, ApiError

# The referral service's programme kinds that end in a clarification result (forlob_referral.domain.clarification).
CLARIFICATION_KINDS = frozenset({"clarification", "work_ability_assessment"})
# The referral service's refusal of a Swedish sole trader's number (the owner's personnummer).
PERSONAL_NUMBER = "personal-identity-number"


async def employers(api: Api) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await api.get("referral", "/employers")
    return found


async def caseload(api: Api, consultant: str | None) -> list[dict[str, Any]]:
    """The running courses of meetings programmes, each with its name, work and latest employer
    contact, in one call whatever their number; ``consultant``'s only if named."""
    found: list[dict[str, Any]] = await api.get("referral", "/caseload", consultant=consultant)
    return found


async def employer(api: Api, employer_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await api.get("referral", f"/employers/{employer_id}")
    return found


async def register(api: Api, body: dict[str, Any], key: str) -> dict[str, Any] | str:
    """The employer registered, or ``PERSONAL_NUMBER`` when the number was a Swedish sole
    trader's, i.e. its owner's personnummer (the page says so in the reader's words)."""
    try:
        created: dict[str, Any] = await api.post("referral", "/employers", body, idempotency_key=key)
    except ApiError as exc:
        if exc.status == 422 and exc.extensions.get("reason") == PERSONAL_NUMBER:
            return PERSONAL_NUMBER
        raise
    return created


async def contacts_of(api: Api, referral_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await api.get("referral", "/employer-contacts", referral_id=referral_id)
    return sorted(found, key=lambda c: (str(c["day"]), str(c.get("recorded_at"))), reverse=True)


async def record_contact(api: Api, body: dict[str, Any], key: str) -> Any:
    return await api.post("referral", "/employer-contacts", body, idempotency_key=key)


async def employment(api: Api, referral_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await api.get("referral", f"/referrals/{referral_id}/employment")
    return found


async def start_spell(api: Api, referral_id: str, body: dict[str, Any], key: str) -> Any:
    return await api.post("referral", f"/referrals/{referral_id}/spells", body, idempotency_key=key)


async def end_spell(api: Api, referral_id: str, spell_id: str, body: dict[str, Any], key: str) -> Any:
    path = f"/referrals/{referral_id}/spells/{spell_id}/end"
    return await api.post("referral", path, body, idempotency_key=key)


async def give_result(api: Api, referral_id: str, body: dict[str, Any], key: str) -> Any:
    return await api.post("referral", f"/referrals/{referral_id}/clarification-result", body, idempotency_key=key)


def open_job(work: dict[str, Any] | None) -> dict[str, Any] | None:
    """The spell of work or education still going on, the latest started."""
    spells = [s for s in (work or {}).get("spells") or [] if not s.get("end_date")]
    return max(spells, key=lambda s: str(s["start_date"])) if spells else None
