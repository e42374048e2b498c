"""Settings every service shares, read from the environment.

Each service subclasses :class:`ServiceSettings` with its own prefix (``FORLOB_REFERRAL_``,
...). A value not set under the service's prefix falls back to the plain ``FORLOB_`` prefix, so
one ``FORLOB_BROKER_URL`` serves a whole machine while each service can still be pointed
elsewhere on its own.
"""

from __future__ import annotations

import re
import sys
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from forlob_shared.messaging.nodes import node_urls, parse_nodes


class Environment(StrEnum):
    """Where a service runs: a closed set, so a typo (``prod``, ``Production``) stops the start
    instead of quietly turning the production guards off."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


_NAME_PREFIX = re.compile(r"[a-z0-9][a-z0-9_.-]*|")
_DEV_SECRET = "forlob-local-development-secret-change-me"


def settings_config(env_prefix: str) -> SettingsConfigDict:
    """The settings' configuration, one prefix per service. A refused value is reported without
    the input: pydantic would otherwise print the whole environment it read (passwords, secrets)
    into the error a refused production start leaves in the container's log."""
    return SettingsConfigDict(env_prefix=env_prefix, extra="ignore", env_ignore_empty=True, hide_input_in_errors=True)


class ServiceSettings(BaseSettings):
    """Common configuration. Subclasses set ``service_name`` and ``model_config``."""

    model_config = settings_config("FORLOB_")

    service_name: ClassVar[str] = "service"
    default_port: ClassVar[int] = 8000

    environment: Environment = Field(
        default=Environment.DEVELOPMENT,
        description="development | test | production (production turns on the guards: real secrets, https, ...)",
    )
    database_url: str = Field(
        default="", description="PostgreSQL URL; default postgresql://postgres@127.0.0.1:5432/forlob_<service>"
    )
    broker_url: str = Field(
        default="amqp://guest:guest@127.0.0.1:5672/",
        description="RabbitMQ: user, password, vhost and options (and the node, unless BROKER_NODES lists them)",
    )
    broker_nodes: str = Field(
        default="",
        description="every node of a RabbitMQ cluster as host:port, comma-separated: the services connect to the "
        "first that answers (with BROKER_URL's user, vhost and options) and move to another when it goes",
    )
    broker_replicas: int | None = Field(
        default=None,
        ge=1,
        le=9,
        description="replicas of each quorum queue and of the history stream when first declared; default 3 when "
        "BROKER_NODES lists three or more nodes, else RabbitMQ's own default",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="proxies (addresses or networks, comma-separated) whose X-Forwarded-For gives the "
        "client's address, which the per-address rate limits count: set it to the ingress's",
    )
    name_prefix: str = Field(
        default="",
        description="Prefix for every exchange and queue name, so environments and test runs never collide",
    )
    host: str = "127.0.0.1"
    port: int = 0

    # Authentication: HS256 with a shared secret locally, RS256/ES256 through JWKS in production.
    jwt_secret: SecretStr = SecretStr(_DEV_SECRET)
    jwt_jwks_url: str = ""
    jwt_audience: str = "forlob"
    jwt_issuer: str = "forlob-local"
    # What a token may be at most: longer-lived or larger ones are refused (401), as is one
    # without 'iat' (its lifetime could not be told).
    jwt_max_lifetime_hours: float = Field(default=12.0, gt=0, le=24, description="exp - iat at most, in hours")
    jwt_max_bytes: int = Field(default=8192, ge=1024, le=65536, description="a longer bearer token gets 401")

    # Outbox relay.
    relay_batch_size: int = Field(default=500, ge=1, le=10_000)
    relay_poll_interval: float = Field(default=1.0, gt=0, description="seconds between polls when no NOTIFY arrives")
    relay_confirm_timeout: float = Field(default=30.0, gt=0)
    relay_max_attempts: int = Field(default=10, ge=1, description="failed publishes before a row is archived")
    relay_in_process: bool = Field(default=True, description="run the outbox relay inside `serve`")

    # A breaking change to an event type (docs/operations.md): the majors of it this service
    # emits, by <aggregate>.<event>, e.g. FORLOB_EVENT_MAJORS='{"referral.received": [2]}'.
    event_majors: dict[str, list[int]] = Field(
        default_factory=dict, description="majors emitted per event type during a change (unnamed: all)"
    )

    # Consumers.
    prefetch: int = Field(default=64, ge=1, le=10_000)
    # Deliveries a consumer applies in one transaction at most, of those already in hand (1: one
    # transaction per delivery). It never waits to fill a batch.
    consumer_batch: int = Field(default=64, ge=1, le=10_000)
    delivery_limit: int = Field(default=10, ge=2)
    retry_backoff_max: float = Field(default=30.0, gt=0)
    watchdog_interval: float = Field(default=10.0, gt=0, description="seconds between consumer checks")

    # Rate limits (forlob_shared.http.ratelimit; docs/security.md "Rate limits"), per process.
    rate_identity_reads_per_minute: int = Field(
        default=30, ge=1, description="identity numbers one caller (org + staff id) may read a minute"
    )
    rate_writes_per_minute: int = Field(
        default=120, ge=1, description="POST, PUT, PATCH and DELETE requests one caller may make a minute"
    )
    rate_partner_reads_per_minute: int = Field(
        default=120,
        ge=1,
        description="reads of the partner API (catch-up, a referral's state) one partner system (org + token "
        "subject) may make a minute, all at once or spread",
    )
    rate_failed_auth_per_second: int = Field(
        default=20, ge=1, description="401 answers one client address may get a second before it is refused (429)"
    )
    identity_reads_spike_threshold: int = Field(
        default=100, ge=1, description="identity reads by one organisation within the window that log a warning"
    )
    identity_reads_spike_minutes: float = Field(default=10.0, gt=0, description="the spike warning's window")

    idempotency_key_days: int = Field(
        default=7, ge=1, description="days an Idempotency-Key (and the response it keeps) is remembered"
    )
    idempotency_sweep_interval: float = Field(
        default=3600.0, gt=0, description="seconds between sweeps that forget Idempotency-Keys past their days"
    )
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, description="larger request bodies get 413")

    log_level: str = "INFO"
    log_json: bool = True

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The service's own prefix first, then the machine-wide FORLOB_ prefix.
        common = EnvSettingsSource(settings_cls, env_prefix="FORLOB_", env_ignore_empty=True)
        return init_settings, env_settings, common, dotenv_settings, file_secret_settings

    @field_validator("name_prefix")
    @classmethod
    def _valid_prefix(cls, value: str) -> str:
        if not _NAME_PREFIX.fullmatch(value):
            raise ValueError("name_prefix may hold lower-case letters, digits, '_', '-' and '.' only")
        return value

    @field_validator("broker_nodes")
    @classmethod
    def _valid_nodes(cls, value: str) -> str:
        parse_nodes(value)
        return value

    @model_validator(mode="after")
    def _defaults_and_guards(self) -> ServiceSettings:
        if not self.database_url:
            self.database_url = f"postgresql://postgres@127.0.0.1:5432/forlob_{self.service_name}"
        if not self.port:
            self.port = self.default_port
        if self.production and self.jwt_secret.get_secret_value() == _DEV_SECRET and not self.jwt_jwks_url:
            raise ValueError("set FORLOB_JWT_SECRET or FORLOB_JWT_JWKS_URL in production")
        return self

    @property
    def production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    @property
    def broker_urls(self) -> tuple[str, ...]:
        """One AMQP URL per broker node, in the order they are tried (``BROKER_URL`` alone without nodes)."""
        return node_urls(self.broker_url, self.broker_nodes)

    @property
    def queue_replicas(self) -> int | None:
        """The initial replica count declared for quorum queues and the stream (None: RabbitMQ's default)."""
        if self.broker_replicas is not None:
            return self.broker_replicas
        return 3 if len(self.broker_urls) >= 3 else None

    @property
    def asyncpg_dsn(self) -> str:
        """The database URL in the plain form asyncpg takes."""
        return plain_postgres_url(self.database_url)

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL with SQLAlchemy's asyncpg driver."""
        return "postgresql+asyncpg://" + plain_postgres_url(self.database_url).split("://", 1)[1]

    def qualified(self, name: str) -> str:
        """An exchange or queue name with this environment's prefix."""
        return f"{self.name_prefix}{name}"

    def public_dict(self) -> dict[str, Any]:
        """Settings without secrets, for logs and diagnostics."""
        return self.model_dump(exclude={"jwt_secret"})


SettingsT = TypeVar("SettingsT", bound=BaseSettings)


def settings_refusal(settings_cls: type[BaseSettings], error: ValidationError) -> str:
    """One line naming each refused setting, the variables it is read from and why; never the
    value given (it may be a password)."""
    prefix = str(settings_cls.model_config.get("env_prefix", "")).upper()
    problems = []
    for e in error.errors(include_input=False, include_url=False):
        name = "_".join(str(part) for part in e["loc"]).upper()
        where = f"{prefix}{name}" + (f" or FORLOB_{name}" if prefix != "FORLOB_" else "") if name else "settings"
        problems.append(f"{where}: {e['msg']}")
    return "refusing to start: " + "; ".join(problems)


def load_settings(settings_cls: type[SettingsT]) -> SettingsT:
    """The settings from the environment; if they are refused, one clear line on standard error
    and exit status 2, not a traceback."""
    try:
        return settings_cls()
    except ValidationError as exc:
        sys.stderr.write(settings_refusal(settings_cls, exc) + "\n")
        raise SystemExit(2) from None


def plain_postgres_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(f"not a database URL: {url!r}")
    if scheme not in {"postgres", "postgresql", "postgresql+asyncpg", "postgresql+psycopg"}:
        raise ValueError(f"not a PostgreSQL URL: scheme {scheme!r}")
    return "postgresql://" + rest
