"""Bearer-JWT verification: what a token must carry, and what is refused."""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from forlob_shared.errors import DomainError, Forbidden, Unauthenticated
from forlob_shared.http import auth
from forlob_shared.http.auth import Principal, TokenVerifier, mint_token
from forlob_shared.settings import ServiceSettings

SECRET = "unit-test-secret-long-enough-for-hs256-and-hs512-" + "x" * 20  # 70 bytes


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("FORLOB_"):
            monkeypatch.delenv(name)


@pytest.fixture
def settings() -> ServiceSettings:
    return ServiceSettings(jwt_secret=SECRET)


@pytest.fixture
def verifier(settings: ServiceSettings) -> TokenVerifier:
    return TokenVerifier(settings)


def claims(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "sub": "staff-17",
        "org": "jobcenter-aalborg",
        "roles": ["caseworker"],
        "aud": "forlob",
        "iss": "forlob-local",
        "iat": now,
        "exp": now + timedelta(minutes=5),
    }
    for key, value in overrides.items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    return values


def hs256(payload: dict[str, Any], secret: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(payload, secret, algorithm=algorithm)


def b64(part: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part, default=str).encode()).rstrip(b"=").decode()


# --- accepted tokens --------------------------------------------------------------------------


async def test_minted_token_verifies_to_a_principal(settings: ServiceSettings, verifier: TokenVerifier) -> None:
    token = mint_token(settings, staff_id="staff-17", org="provider-nord", roles=["coordinator", "reader"])
    principal = await verifier.verify(token)
    assert principal == Principal(staff_id="staff-17", org="provider-nord", roles=frozenset({"coordinator", "reader"}))


async def test_minted_token_carries_audience_issuer_and_ttl(settings: ServiceSettings) -> None:
    token = mint_token(settings, staff_id="s", org="o", roles=[], ttl=timedelta(minutes=30))
    decoded = jwt.decode(token, SECRET, algorithms=["HS256"], audience="forlob", issuer="forlob-local")
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert decoded["exp"] - decoded["iat"] == 30 * 60
    assert decoded["roles"] == []


async def test_token_with_custom_audience_and_issuer() -> None:
    settings = ServiceSettings(jwt_secret=SECRET, jwt_audience="forlob-prod", jwt_issuer="https://idp.example")
    token = mint_token(settings, staff_id="s", org="o", roles=["r"])
    principal = await TokenVerifier(settings).verify(token)
    assert principal.org == "o"


async def test_hand_built_token_verifies(verifier: TokenVerifier) -> None:
    principal = await verifier.verify(hs256(claims()))
    assert principal.staff_id == "staff-17"
    assert principal.org == "jobcenter-aalborg"
    assert principal.roles == frozenset({"caseworker"})


async def test_missing_roles_mean_no_roles(verifier: TokenVerifier) -> None:
    principal = await verifier.verify(hs256(claims(roles=None)))
    assert principal.roles == frozenset()


async def test_audience_list_containing_ours_is_accepted(verifier: TokenVerifier) -> None:
    principal = await verifier.verify(hs256(claims(aud=["other-api", "forlob"])))
    assert principal.staff_id == "staff-17"


async def test_extra_claims_are_ignored(verifier: TokenVerifier) -> None:
    principal = await verifier.verify(hs256(claims(name="Not Used", email="x@example.dk")))
    assert principal == Principal("staff-17", "jobcenter-aalborg", frozenset({"caseworker"}))


# --- refused tokens ---------------------------------------------------------------------------


async def test_expired_token_is_refused(settings: ServiceSettings, verifier: TokenVerifier) -> None:
    token = mint_token(settings, staff_id="s", org="o", roles=[], ttl=timedelta(seconds=-1))
    with pytest.raises(Unauthenticated, match="expired") as excinfo:
        await verifier.verify(token)
    assert excinfo.value.status == 401
    assert excinfo.value.code == "unauthenticated"


async def test_wrong_signature_is_refused(verifier: TokenVerifier) -> None:
    token = hs256(claims(), secret="another-secret-that-is-also-long-enough-x")
    with pytest.raises(Unauthenticated, match="not valid") as excinfo:
        await verifier.verify(token)
    assert "Signature verification failed" in str(excinfo.value)


async def test_tampered_payload_is_refused(verifier: TokenVerifier) -> None:
    header, _payload, signature = hs256(claims()).split(".")
    forged = ".".join([header, b64(claims(roles=["admin"])), signature])
    with pytest.raises(Unauthenticated, match="not valid"):
        await verifier.verify(forged)


async def test_alg_none_token_from_pyjwt_is_refused(verifier: TokenVerifier) -> None:
    token = jwt.encode(claims(), None, algorithm="none")
    assert jwt.get_unverified_header(token)["alg"] == "none"
    with pytest.raises(Unauthenticated, match="not valid"):
        await verifier.verify(token)


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
async def test_alg_none_token_built_by_hand_is_refused(verifier: TokenVerifier, alg: str) -> None:
    payload = claims()
    payload["iat"] = int(payload["iat"].timestamp())
    payload["exp"] = int(payload["exp"].timestamp())
    for signature in ("", "c2lnbmF0dXJl"):
        token = f"{b64({'alg': alg, 'typ': 'JWT'})}.{b64(payload)}.{signature}"
        with pytest.raises(Unauthenticated):
            await verifier.verify(token)


async def test_other_hmac_algorithm_is_refused(verifier: TokenVerifier) -> None:
    with pytest.raises(Unauthenticated, match="not valid"):
        await verifier.verify(hs256(claims(), algorithm="HS512"))


async def test_wrong_audience_is_refused(verifier: TokenVerifier) -> None:
    with pytest.raises(Unauthenticated, match="not valid") as excinfo:
        await verifier.verify(hs256(claims(aud="some-other-api")))
    assert "audience" in str(excinfo.value).lower()


async def test_wrong_issuer_is_refused(verifier: TokenVerifier) -> None:
    with pytest.raises(Unauthenticated, match="not valid") as excinfo:
        await verifier.verify(hs256(claims(iss="https://evil.example")))
    assert "issuer" in str(excinfo.value).lower()


@pytest.mark.parametrize("claim", ["exp", "iat", "sub", "aud", "iss"])
async def test_required_claim_missing_is_refused(verifier: TokenVerifier, claim: str) -> None:
    with pytest.raises(Unauthenticated, match="not valid") as excinfo:
        await verifier.verify(hs256(claims(**{claim: None})))
    assert claim in str(excinfo.value)


async def test_a_token_living_longer_than_the_maximum_is_refused(verifier: TokenVerifier) -> None:
    now = datetime.now(UTC)
    with pytest.raises(Unauthenticated, match="at most 12 hours") as excinfo:
        await verifier.verify(hs256(claims(iat=now, exp=now + timedelta(days=365 * 100))))
    assert excinfo.value.status == 401
    with pytest.raises(Unauthenticated, match="at most 12 hours"):
        await verifier.verify(hs256(claims(iat=now, exp=now + timedelta(hours=12, seconds=1))))
    # An 'iat' set back to make a long-lived token look short is still a long-lived token.
    with pytest.raises(Unauthenticated, match="at most 12 hours"):
        await verifier.verify(hs256(claims(iat=now - timedelta(hours=13), exp=now + timedelta(minutes=5))))


async def test_a_token_of_exactly_the_maximum_lifetime_is_accepted(verifier: TokenVerifier) -> None:
    now = datetime.now(UTC)
    principal = await verifier.verify(hs256(claims(iat=now, exp=now + timedelta(hours=12))))
    assert principal.staff_id == "staff-17"


async def test_the_maximum_lifetime_is_a_setting() -> None:
    settings = ServiceSettings(jwt_secret=SECRET, jwt_max_lifetime_hours=1)
    now = datetime.now(UTC)
    with pytest.raises(Unauthenticated, match="at most 1 hours"):
        await TokenVerifier(settings).verify(hs256(claims(iat=now, exp=now + timedelta(hours=2))))


async def test_an_issued_at_in_the_future_is_refused(verifier: TokenVerifier) -> None:
    now = datetime.now(UTC)
    with pytest.raises(Unauthenticated, match="not valid"):
        await verifier.verify(hs256(claims(iat=now + timedelta(hours=1), exp=now + timedelta(hours=2))))


@pytest.mark.parametrize("sub", ["", " ", "\t"])
async def test_a_token_naming_nobody_is_refused(verifier: TokenVerifier, sub: str) -> None:
    with pytest.raises(Unauthenticated, match="'sub'") as excinfo:
        await verifier.verify(hs256(claims(sub=sub)))
    assert excinfo.value.status == 401


async def test_an_oversized_token_is_refused_before_it_is_read(verifier: TokenVerifier) -> None:
    padded = hs256(claims(padding="x" * 60_000))  # a good signature: only the size is wrong
    assert len(padded) > 60_000
    with pytest.raises(Unauthenticated, match="longer than 8192 bytes"):
        await verifier.verify(padded)
    fits = hs256(claims(padding="x" * 5_000))
    assert (await verifier.verify(fits)).staff_id == "staff-17"


def test_a_local_token_cannot_be_minted_to_live_longer_than_the_services_accept(settings: ServiceSettings) -> None:
    with pytest.raises(ValueError, match="at most 12 hours"):
        mint_token(settings, staff_id="s", org="o", roles=[], ttl=timedelta(hours=13))


async def test_token_not_yet_valid_is_refused(verifier: TokenVerifier) -> None:
    with pytest.raises(Unauthenticated, match="not valid"):
        await verifier.verify(hs256(claims(nbf=datetime.now(UTC) + timedelta(hours=1))))


@pytest.mark.parametrize("token", ["", "abc", "a.b", "a.b.c", "not a token at all"])
async def test_garbage_is_refused(verifier: TokenVerifier, token: str) -> None:
    with pytest.raises(Unauthenticated, match="not valid"):
        await verifier.verify(token)


async def test_missing_org_is_refused(verifier: TokenVerifier) -> None:
    with pytest.raises(Unauthenticated, match="'org'"):
        await verifier.verify(hs256(claims(org=None)))


@pytest.mark.parametrize("org", ["", 42, ["jobcenter-aalborg"], {"id": "x"}, True])
async def test_org_that_is_not_a_name_is_refused(verifier: TokenVerifier, org: Any) -> None:
    with pytest.raises(Unauthenticated, match="'org'"):
        await verifier.verify(hs256(claims(org=org)))


@pytest.mark.parametrize("roles", ["caseworker", {"caseworker": True}, 1, ["caseworker", 7], [["nested"]]])
async def test_roles_not_a_list_of_strings_is_refused(verifier: TokenVerifier, roles: Any) -> None:
    with pytest.raises(Unauthenticated, match="'roles' must be a list of strings"):
        await verifier.verify(hs256(claims(roles=roles)))


async def test_unauthenticated_is_a_domain_error() -> None:
    error = Unauthenticated("x")
    assert isinstance(error, DomainError)
    assert error.status == 401
    assert error.detail == "x"


# --- JWKS (asymmetric) mode, with the key set served by a stand-in client ---------------------


class _FakeJWKClient:
    instances: list[_FakeJWKClient] = []
    public_key: Any = None

    def __init__(self, url: str, cache_keys: bool = False) -> None:
        self.url = url
        self.cache_keys = cache_keys
        self.calls = 0
        _FakeJWKClient.instances.append(self)

    def get_signing_key_from_jwt(self, token: str) -> Any:
        self.calls += 1
        return SimpleNamespace(key=_FakeJWKClient.public_key)


@pytest.fixture
def es256_key(monkeypatch: pytest.MonkeyPatch) -> ec.EllipticCurvePrivateKey:
    key = ec.generate_private_key(ec.SECP256R1())
    monkeypatch.setattr(_FakeJWKClient, "instances", [])
    monkeypatch.setattr(_FakeJWKClient, "public_key", key.public_key())
    monkeypatch.setattr(auth.jwt, "PyJWKClient", _FakeJWKClient)
    return key


@pytest.fixture
def jwks_verifier() -> TokenVerifier:
    return TokenVerifier(
        ServiceSettings(jwt_jwks_url="https://idp.example/jwks.json", jwt_issuer="https://idp.example")
    )


async def test_jwks_es256_token_verifies(es256_key: ec.EllipticCurvePrivateKey, jwks_verifier: TokenVerifier) -> None:
    token = jwt.encode(claims(iss="https://idp.example"), es256_key, algorithm="ES256")
    principal = await jwks_verifier.verify(token)
    assert principal.staff_id == "staff-17"
    [client] = _FakeJWKClient.instances
    assert client.url == "https://idp.example/jwks.json"
    assert client.cache_keys is True
    await jwks_verifier.verify(token)
    assert len(_FakeJWKClient.instances) == 1  # one client, reused
    assert client.calls == 2


async def test_jwks_mode_refuses_hs256(es256_key: ec.EllipticCurvePrivateKey, jwks_verifier: TokenVerifier) -> None:
    # Even signed with the development secret, a symmetric token is not accepted once JWKS is configured.
    token = jwt.encode(claims(iss="https://idp.example"), "forlob-local-development-secret-change-me")
    with pytest.raises(Unauthenticated, match="not valid"):
        await jwks_verifier.verify(token)


async def test_jwks_mode_refuses_alg_none(es256_key: ec.EllipticCurvePrivateKey, jwks_verifier: TokenVerifier) -> None:
    token = jwt.encode(claims(iss="https://idp.example"), None, algorithm="none")
    with pytest.raises(Unauthenticated, match="not valid"):
        await jwks_verifier.verify(token)


async def test_jwks_mode_refuses_a_token_from_another_key(
    es256_key: ec.EllipticCurvePrivateKey, jwks_verifier: TokenVerifier
) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    token = jwt.encode(claims(iss="https://idp.example"), other, algorithm="ES256")
    with pytest.raises(Unauthenticated, match="not valid"):
        await jwks_verifier.verify(token)


async def test_jwks_lookup_failure_is_unauthenticated(
    es256_key: ec.EllipticCurvePrivateKey, jwks_verifier: TokenVerifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_key(self: _FakeJWKClient, token: str) -> Any:
        raise jwt.PyJWKClientError('Unable to find a signing key that matches: "kid-9"')

    monkeypatch.setattr(_FakeJWKClient, "get_signing_key_from_jwt", no_key)
    token = jwt.encode(claims(iss="https://idp.example"), es256_key, algorithm="ES256", headers={"kid": "kid-9"})
    with pytest.raises(Unauthenticated, match="kid-9"):
        await jwks_verifier.verify(token)


async def test_no_jwks_client_without_a_url(verifier: TokenVerifier) -> None:
    assert verifier._jwks is None


# --- Principal.require ------------------------------------------------------------------------


def test_require_passes_with_the_role() -> None:
    principal = Principal("s", "o", frozenset({"caseworker", "reader"}))
    principal.require("caseworker")
    principal.require("admin", "reader")  # any one of them is enough


def test_require_without_roles_passes() -> None:
    Principal("s", "o", frozenset()).require()


def test_require_raises_forbidden_without_the_role() -> None:
    principal = Principal("s", "o", frozenset({"reader"}))
    with pytest.raises(Forbidden) as excinfo:
        principal.require("coordinator", "admin")
    assert excinfo.value.status == 403
    assert excinfo.value.code == "forbidden"
    assert str(excinfo.value) == "this needs one of the roles: admin, coordinator"


def test_require_with_no_roles_at_all_is_forbidden() -> None:
    with pytest.raises(Forbidden):
        Principal("s", "o", frozenset()).require("reader")


def test_principal_is_frozen_and_hashable() -> None:
    principal = Principal("s", "o", frozenset({"r"}))
    with pytest.raises(AttributeError):
        principal.org = "other"  # type: ignore[misc]
    assert principal in {principal}
