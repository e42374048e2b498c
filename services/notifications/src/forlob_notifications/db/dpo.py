"""The data protection officer's reads and the erasure of one participant's alerts and deliveries."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_notifications.db.models import AlertRow, AssignmentRow, AttemptRow, DeliveryRow
from forlob_notifications.db.repositories.partner_feed import partner_feed
from forlob_shared.dpo import record
from forlob_shared.erasure import erased_subjects

PROVIDER_STAFF = "the provider's staff"
# Staff ids and addresses: the provider's data, replaced by who they are, not who by name.
STAFF = {
    "contact_person_id": PROVIDER_STAFF,
    "team_leader_id": PROVIDER_STAFF,
    "caseworker_id": "the jobcentre's caseworker",
    "recipient_staff_id": PROVIDER_STAFF,
    "escalated_to": PROVIDER_STAFF,
    "acknowledged_by": PROVIDER_STAFF,
    "recipient": "the recipient (staff or partner system)",
}
MACHINERY = frozenset({"cause_key", "cause_event_id", "claimed_until", "next_attempt_at", "give_up_at", "due_at"})


def _values(row: Any) -> dict[str, Any]:
    values = {c.key: getattr(row, c.key) for c in sa.inspect(row).mapper.column_attrs}
    # An alert lives in its recipient's organisation: the jobcentre's for a caseworker's alert.
    theirs = values.get("org") is not None and values.get("provider_org") not in (None, values["org"])
    for name, who in STAFF.items():
        if values.get(name) is not None:
            values[name] = "the referring organisation's staff" if theirs and who == PROVIDER_STAFF else who
    return record(values, leave_out=MACHINERY)


def _told(body: bytes) -> dict[str, Any]:
    event = json.loads(body)
    return {"type": event["type"], "time": event["time"], "data": event["data"]}


class DpoRecords:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _alert_ids(self, provider_org: str, participant_id: UUID) -> sa.Select[Any]:
        return sa.select(AlertRow.id).where(
            AlertRow.provider_org == provider_org, AlertRow.participant_id == participant_id
        )

    async def export(self, provider_org: str, participant_id: UUID) -> dict[str, list[dict[str, Any]]]:
        assignments = list(
            await self.session.scalars(
                sa.select(AssignmentRow).where(
                    AssignmentRow.provider_org == provider_org, AssignmentRow.participant_id == participant_id
                )
            )
        )
        alerts = await self.session.scalars(
            sa.select(AlertRow)
            .where(AlertRow.provider_org == provider_org, AlertRow.participant_id == participant_id)
            .order_by(AlertRow.raised_at)
        )
        deliveries = await self.session.scalars(
            sa.select(DeliveryRow)
            .where(DeliveryRow.alert_id.in_(self._alert_ids(provider_org, participant_id)))
            .order_by(DeliveryRow.created_at)
        )
        # The referrals: the assignments', or after an erasure (which deletes them) the register's.
        erased_referrals = sa.select(sa.cast(erased_subjects.c.id, sa.Text)).where(
            erased_subjects.c.participant_id == participant_id,
            erased_subjects.c.provider_org == provider_org,
            erased_subjects.c.id != participant_id,
        )
        told = await self.session.execute(
            sa.select(partner_feed.c.body)
            .where(
                sa.or_(
                    partner_feed.c.subject.in_([str(a.referral_id) for a in assignments]),
                    partner_feed.c.subject.in_(erased_referrals),
                )
            )
            .order_by(partner_feed.c.time, partner_feed.c.cursor)
        )
        return {
            "course_assignments": [_values(r) for r in assignments],
            "alerts": [_values(r) for r in alerts],
            # The content is what the recipient read; the staff e-mail's address is not in it.
            "deliveries": [_values(r) for r in deliveries],
            # Exactly what the referring organisation's system received, event by event.
            "told_to_the_referring_organisation": [_told(body) for (body,) in told.all()],
        }

    async def erase(self, provider_org: str, participant_id: UUID, referral_ids: list[UUID]) -> int:
        """Delete the participant's alerts, their deliveries and attempts, and the course
        assignments; returns alerts deleted. A second call finds nothing."""
        alerts = self._alert_ids(provider_org, participant_id)
        deliveries = sa.select(DeliveryRow.id).where(DeliveryRow.alert_id.in_(alerts))
        await self.session.execute(sa.delete(AttemptRow).where(AttemptRow.delivery_id.in_(deliveries)))
        await self.session.execute(sa.delete(DeliveryRow).where(DeliveryRow.alert_id.in_(alerts)))
        deleted = await self.session.execute(
            sa.delete(AlertRow).where(AlertRow.provider_org == provider_org, AlertRow.participant_id == participant_id)
        )
        await self.session.execute(
            sa.delete(AssignmentRow).where(
                AssignmentRow.provider_org == provider_org,
                sa.or_(AssignmentRow.participant_id == participant_id, AssignmentRow.referral_id.in_(referral_ids)),
            )
        )
        return int(getattr(deleted, "rowcount", 0) or 0)
