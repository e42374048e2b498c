"""The data protection officer's export of the facts about one participant (GDPR Art. 15)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter

from forlob_reporting.api.deps import UoW
from forlob_reporting.db.dpo import DpoFacts
from forlob_reporting.domain.data_categories import CATEGORIES
from forlob_shared.dpo import export_part
from forlob_shared.errors import NotFound
from forlob_shared.http.auth import Principal, requires

router = APIRouter(prefix="/dpo", tags=["data protection"])


@router.get("/participants/{participant_id}/export", summary="Everything this service holds about a participant")
async def export(participant_id: UUID, principal: Annotated[Principal, requires("dpo")], uow: UoW) -> dict[str, Any]:
    async with uow:
        records = await DpoFacts(uow.session).export(principal.org, participant_id)
    if not any(records.values()):
        # Nothing held (erased, never here, or another organisation's): one answer for all three.
        raise NotFound(f"nothing held about participant {participant_id}")
    return export_part("reporting", participant_id, CATEGORIES, records, uow.clock.now())
