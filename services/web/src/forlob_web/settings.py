"""The web front end's settings: the shared ones (``FORLOB_``) plus ``FORLOB_WEB_``.

It has no database and no broker; it needs the four services' addresses, a session key and,
in production, the organisation's OpenID Connect identity provider.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, SecretStr, model_validator

from forlob_shared.settings import ServiceSettings, settings_config

_DEV_SESSION_SECRET = "forlob-web-local-session-secret-change-me"


class WebSettings(ServiceSettings):
    model_config = settings_config("FORLOB_WEB_")

    service_name: ClassVar[str] = "web"
    default_port: ClassVar[int] = 8000

    referral_url: str = "http://127.0.0.1:8001"
    attendance_url: str = "http://127.0.0.1:8002"
    notifications_url: str = "http://127.0.0.1:8003"
    reporting_url: str = "http://127.0.0.1:8004"
    api_timeout: float = Field(default=10.0, gt=0, description="seconds to wait for a service's answer")

    session_secret: SecretStr = SecretStr(_DEV_SESSION_SECRET)
    session_max_age: int = Field(default=8 * 3600, ge=60, description="seconds a sign-in lasts")
    rate_sign_in_per_minute: int = Field(
        default=20, ge=1, description="sign-ins (local, or OpenID Connect callbacks) per client address a minute"
    )
    secure_cookies: bool | None = Field(default=None, description="cookies only over https; on in production")

    # OpenID Connect (authorization code with PKCE) against the organisation's identity provider.
    oidc_discovery_url: str = Field(default="", description="the IdP's .well-known/openid-configuration")
    oidc_client_id: str = ""
    oidc_client_secret: SecretStr = SecretStr("")
    oidc_scope: str = "openid profile"
    oidc_api_token: str = Field(
        default="access_token", description="which of the IdP's tokens the services get: access_token | id_token"
    )
    local_sign_in: bool | None = Field(
        default=None, description="the demo sign-in page that mints local tokens; on unless in production"
    )
    timezone: str = "Europe/Copenhagen"

    @model_validator(mode="after")
    def _web_guards(self) -> WebSettings:
        production = self.production
        if self.local_sign_in is None:
            self.local_sign_in = not production
        if self.secure_cookies is None:
            self.secure_cookies = production
        if production and self.local_sign_in:
            raise ValueError("the local sign-in mints tokens with a shared key: never in production")
        if production and self.session_secret.get_secret_value() == _DEV_SESSION_SECRET:
            raise ValueError("set FORLOB_WEB_SESSION_SECRET in production")
        if production and not self.oidc_discovery_url:
            raise ValueError("set FORLOB_WEB_OIDC_DISCOVERY_URL (and the client id and secret) in production")
        return self

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_discovery_url and self.oidc_client_id)

    def service_urls(self) -> dict[str, str]:
        return {
            "referral": self.referral_url.rstrip("/"),
            "attendance": self.attendance_url.rstrip("/"),
            "notifications": self.notifications_url.rstrip("/"),
            "reporting": self.reporting_url.rstrip("/"),
        }

    def public_dict(self) -> dict[str, Any]:
        return self.model_dump(exclude={"jwt_secret", "session_secret", "oidc_client_secret"})
