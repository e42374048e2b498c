from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from forlob_notifications.api.deps import PolicyEditor, PolicyReader, UoW
from forlob_notifications.application import policies as app
from forlob_notifications.domain.policy import NoticeRecipient, NotificationPolicy

router = APIRouter(tags=["policies"])

LegalBasis = Annotated[str, Path(pattern=r"^(\*|[A-Za-z0-9][A-Za-z0-9_.-]{0,63})$", examples=["LAB-32-1-2"])]


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    notify_within_working_minutes: int = Field(ge=1, le=2400)
    recipients: list[Literal["caseworker", "webhooks"]] = Field(min_length=1)
    notice_text: str = Field(min_length=1, max_length=4000)


class PolicyOut(BaseModel):
    legal_basis: str
    notify_within_working_minutes: int
    recipients: list[str]
    notice_text: str
    is_default: bool

    @classmethod
    def of(cls, p: NotificationPolicy) -> PolicyOut:
        return cls(
            legal_basis=p.legal_basis,
            notify_within_working_minutes=p.notify_within_working_minutes,
            recipients=sorted(r.value for r in p.recipients),
            notice_text=p.notice_text,
            is_default=p.is_default,
        )


@router.get("/policies", summary="Your notification policy per legal basis (your own over the defaults)")
async def list_policies(principal: PolicyReader, uow: UoW) -> list[PolicyOut]:
    return [PolicyOut.of(p) for p in await app.list_policies(uow, principal)]


@router.get("/policies/{legal_basis}", summary="The policy that applies to a legal basis")
async def get_policy(legal_basis: LegalBasis, principal: PolicyReader, uow: UoW) -> PolicyOut:
    return PolicyOut.of(await app.get_policy(uow, principal, legal_basis))


@router.put("/policies/{legal_basis}", summary="Set your policy for a legal basis ('*' for all others)")
async def put_policy(legal_basis: LegalBasis, body: PolicyIn, principal: PolicyEditor, uow: UoW) -> PolicyOut:
    policy = NotificationPolicy(
        legal_basis=legal_basis,
        notify_within_working_minutes=body.notify_within_working_minutes,
        recipients=frozenset(NoticeRecipient(r) for r in body.recipients),
        notice_text=body.notice_text,
        is_default=False,
    )
    return PolicyOut.of(await app.put_policy(uow, principal, policy))


@router.delete("/policies/{legal_basis}", summary="Drop your own policy for a legal basis: the default applies")
async def reset_policy(legal_basis: LegalBasis, principal: PolicyEditor, uow: UoW) -> PolicyOut:
    return PolicyOut.of(await app.reset_policy(uow, principal, legal_basis))
