"""A bearer token for a test caller: the one way every test signs its requests."""

from __future__ import annotations

from forlob_shared.http.auth import mint_token
from forlob_shared.settings import ServiceSettings


def auth(org: str, *roles: str, staff: str = "staff-1", settings: ServiceSettings | None = None) -> dict[str, str]:
    """The Authorization header of staff member ``staff`` of ``org`` with ``roles``, signed with
    ``settings``' key (the development key the tests' services verify with, by default)."""
    token = mint_token(settings or ServiceSettings(), staff_id=staff, org=org, roles=list(roles))
    return {"Authorization": f"Bearer {token}"}
