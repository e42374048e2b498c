"""ServiceSettings: defaults, environment prefixes and guards."""

from __future__ import annotations

import os
from typing import ClassVar

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from forlob_shared.settings import Environment, ServiceSettings, load_settings, plain_postgres_url

DEV_SECRET = "forlob-local-development-secret-change-me"


class XSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FORLOB_X_", extra="ignore", env_ignore_empty=True)

    service_name: ClassVar[str] = "x"
    default_port: ClassVar[int] = 8009


class YSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FORLOB_Y_", extra="ignore", env_ignore_empty=True)

    service_name: ClassVar[str] = "y"
    default_port: ClassVar[int] = 8010


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No FORLOB_* variable from the machine running the tests leaks into them."""
    for name in list(os.environ):
        if name.upper().startswith("FORLOB_"):
            monkeypatch.delenv(name)


# --- defaults ---------------------------------------------------------------------------------


def test_base_defaults() -> None:
    settings = ServiceSettings()
    assert settings.environment == "development"
    assert settings.database_url == "postgresql://postgres@127.0.0.1:5432/forlob_service"
    assert settings.broker_url == "amqp://guest:guest@127.0.0.1:5672/"
    assert settings.name_prefix == ""
    assert settings.port == 8000
    assert settings.jwt_secret.get_secret_value() == DEV_SECRET
    assert settings.jwt_audience == "forlob"
    assert settings.jwt_issuer == "forlob-local"
    assert settings.jwt_jwks_url == ""


def test_default_database_url_and_port_follow_the_service() -> None:
    x, y = XSettings(), YSettings()
    assert x.database_url == "postgresql://postgres@127.0.0.1:5432/forlob_x"
    assert y.database_url == "postgresql://postgres@127.0.0.1:5432/forlob_y"
    assert x.port == 8009
    assert y.port == 8010


def test_explicit_database_url_and_port_are_kept() -> None:
    settings = XSettings(database_url="postgresql://u@db:5432/other", port=9123)
    assert settings.database_url == "postgresql://u@db:5432/other"
    assert settings.port == 9123


def test_secret_is_hidden_from_repr_and_public_dict() -> None:
    settings = XSettings(jwt_secret="a-very-secret-value-that-must-not-leak")
    assert "a-very-secret-value-that-must-not-leak" not in repr(settings)
    assert "a-very-secret-value-that-must-not-leak" not in str(settings)
    public = settings.public_dict()
    assert "jwt_secret" not in public
    assert public["database_url"] == "postgresql://postgres@127.0.0.1:5432/forlob_x"
    assert public["port"] == 8009


# --- environment prefixes ---------------------------------------------------------------------


def test_common_prefix_overrides_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORLOB_BROKER_URL", "amqp://common/")
    assert XSettings().broker_url == "amqp://common/"
    assert ServiceSettings().broker_url == "amqp://common/"


def test_service_prefix_overrides_the_common_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORLOB_BROKER_URL", "amqp://common/")
    monkeypatch.setenv("FORLOB_X_BROKER_URL", "amqp://only-x/")
    assert XSettings().broker_url == "amqp://only-x/"
    # Another service still reads the machine-wide value.
    assert YSettings().broker_url == "amqp://common/"
    assert ServiceSettings().broker_url == "amqp://common/"


def test_service_prefix_alone_overrides_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORLOB_X_PORT", "9001")
    assert XSettings().port == 9001
    assert YSettings().port == 8010


def test_precedence_for_several_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORLOB_DATABASE_URL", "postgresql://common@db/common")
    monkeypatch.setenv("FORLOB_X_DATABASE_URL", "postgresql://x@db/x")
    monkeypatch.setenv("FORLOB_PREFETCH", "16")
    monkeypatch.setenv("FORLOB_NAME_PREFIX", "ci-42.")
    settings = XSettings()
    assert settings.database_url == "postgresql://x@db/x"
    assert settings.prefetch == 16
    assert settings.name_prefix == "ci-42."
    assert settings.relay_batch_size == 500  # untouched default
    # The common database URL replaces every service's default.
    assert YSettings().database_url == "postgresql://common@db/common"


def test_empty_service_variable_falls_back_to_the_common_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORLOB_BROKER_URL", "amqp://common/")
    monkeypatch.setenv("FORLOB_X_BROKER_URL", "")
    assert XSettings().broker_url == "amqp://common/"


def test_empty_common_variable_falls_back_to_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORLOB_BROKER_URL", "")
    assert XSettings().broker_url == "amqp://guest:guest@127.0.0.1:5672/"


def test_constructor_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORLOB_BROKER_URL", "amqp://common/")
    monkeypatch.setenv("FORLOB_X_BROKER_URL", "amqp://only-x/")
    assert XSettings(broker_url="amqp://explicit/").broker_url == "amqp://explicit/"


def test_environment_variable_names_are_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("forlob_x_host", "0.0.0.0")
    assert XSettings().host == "0.0.0.0"


def test_values_from_the_environment_are_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORLOB_X_PREFETCH", "0")
    with pytest.raises(ValidationError, match="prefetch"):
        XSettings()


def test_bad_common_value_is_still_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORLOB_PORT", "not-a-port")
    with pytest.raises(ValidationError, match="port"):
        XSettings()


def test_unknown_variables_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORLOB_X_NO_SUCH_SETTING", "1")
    monkeypatch.setenv("FORLOB_NO_SUCH_SETTING", "1")
    settings = XSettings()
    assert not hasattr(settings, "no_such_setting")


def test_bounded_numbers() -> None:
    with pytest.raises(ValidationError):
        XSettings(relay_batch_size=0)
    with pytest.raises(ValidationError):
        XSettings(relay_batch_size=10_001)
    with pytest.raises(ValidationError):
        XSettings(delivery_limit=1)
    with pytest.raises(ValidationError):
        XSettings(relay_poll_interval=0)
    assert XSettings(relay_batch_size=10_000, delivery_limit=2).relay_batch_size == 10_000


# --- name_prefix ------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "dev.", "ci-123_", "a", "0abc", "team.x-y_z."])
def test_valid_name_prefixes(prefix: str) -> None:
    assert XSettings(name_prefix=prefix).name_prefix == prefix


@pytest.mark.parametrize("prefix", ["Dev.", "has space", ".leading-dot", "-dash", "_under", "a/b", "ø", "a:b", "a*"])
def test_invalid_name_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(ValidationError, match="name_prefix"):
        XSettings(name_prefix=prefix)


def test_invalid_name_prefix_from_the_environment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORLOB_NAME_PREFIX", "UPPER")
    with pytest.raises(ValidationError, match="name_prefix"):
        XSettings()


def test_name_prefix_with_trailing_newline_is_refused() -> None:
    with pytest.raises(ValidationError, match="name_prefix"):
        XSettings(name_prefix="dev\n")


def test_qualified_adds_the_prefix() -> None:
    assert XSettings(name_prefix="ci-7.").qualified("referral.events") == "ci-7.referral.events"
    assert XSettings().qualified("referral.events") == "referral.events"


# --- production guard -------------------------------------------------------------------------


def test_production_without_a_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="FORLOB_JWT_SECRET"):
        XSettings(environment="production")


def test_production_from_the_environment_without_a_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORLOB_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="production"):
        XSettings()


def test_production_with_an_empty_secret_variable_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORLOB_ENVIRONMENT", "production")
    monkeypatch.setenv("FORLOB_JWT_SECRET", "")  # ignored as empty: still the development secret
    with pytest.raises(ValidationError, match="production"):
        XSettings()


def test_production_with_the_development_secret_spelt_out_is_refused() -> None:
    with pytest.raises(ValidationError, match="production"):
        XSettings(environment="production", jwt_secret=DEV_SECRET)


def test_production_with_a_secret_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORLOB_ENVIRONMENT", "production")
    monkeypatch.setenv("FORLOB_JWT_SECRET", "a-real-production-secret-of-some-length")
    settings = XSettings()
    assert settings.environment == "production"
    assert settings.jwt_secret.get_secret_value() == "a-real-production-secret-of-some-length"


def test_production_with_jwks_is_accepted() -> None:
    settings = XSettings(environment="production", jwt_jwks_url="https://idp.example/.well-known/jwks.json")
    assert settings.jwt_jwks_url == "https://idp.example/.well-known/jwks.json"


# --- environment: a closed set --------------------------------------------------------------------


@pytest.mark.parametrize("typo", ["prod", "Production", "production ", "staging", "produciton"])
def test_an_environment_outside_the_set_is_refused(typo: str) -> None:
    # A typo must not quietly run production without its guards (the development secret, ...).
    with pytest.raises(ValidationError, match="'development', 'test' or 'production'"):
        XSettings(environment=typo)


def test_the_environment_is_an_enum_equal_to_its_name() -> None:
    settings = XSettings(environment="production", jwt_secret="a-real-production-secret-of-some-length")
    assert settings.environment is Environment.PRODUCTION
    assert settings.production
    assert settings.environment == "production"
    assert not XSettings(environment="test").production


def test_a_typo_stops_the_start_with_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FORLOB_ENVIRONMENT", "prod")
    monkeypatch.setenv("FORLOB_X_JWT_SECRET", "a-secret-never-printed")
    with pytest.raises(SystemExit) as stopped:
        load_settings(XSettings)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert err.startswith("refusing to start: FORLOB_X_ENVIRONMENT or FORLOB_ENVIRONMENT: Input should be")
    assert "'development', 'test' or 'production'" in err
    assert "a-secret-never-printed" not in err
    assert "prod'" not in err.split("should be", 1)[0]


def test_a_guard_refusal_names_no_variable_it_cannot_know(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FORLOB_ENVIRONMENT", "production")
    with pytest.raises(SystemExit):
        load_settings(XSettings)
    assert capsys.readouterr().err.startswith("refusing to start: settings: Value error, set FORLOB_JWT_SECRET")


@pytest.mark.parametrize("environment", ["development", "test"])
def test_development_secret_is_fine_outside_production(environment: str) -> None:
    assert XSettings(environment=environment).jwt_secret.get_secret_value() == DEV_SECRET


# --- database URLs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "plain"),
    [
        ("postgresql://u:p@db:5432/forlob_x", "postgresql://u:p@db:5432/forlob_x"),
        ("postgres://u:p@db:5432/forlob_x", "postgresql://u:p@db:5432/forlob_x"),
        ("postgresql+asyncpg://u:p@db:5432/forlob_x", "postgresql://u:p@db:5432/forlob_x"),
        ("postgresql+psycopg://u:p@db/forlob_x?sslmode=require", "postgresql://u:p@db/forlob_x?sslmode=require"),
    ],
)
def test_url_conversions(url: str, plain: str) -> None:
    settings = XSettings(database_url=url)
    assert settings.asyncpg_dsn == plain
    assert settings.sqlalchemy_url == "postgresql+asyncpg://" + plain.removeprefix("postgresql://")
    assert plain_postgres_url(url) == plain


def test_default_url_conversions() -> None:
    settings = XSettings()
    assert settings.asyncpg_dsn == "postgresql://postgres@127.0.0.1:5432/forlob_x"
    assert settings.sqlalchemy_url == "postgresql+asyncpg://postgres@127.0.0.1:5432/forlob_x"


def test_url_with_scheme_like_text_in_the_password_is_converted_once() -> None:
    settings = XSettings(database_url="postgresql://u:a://b@db/forlob_x")
    assert settings.asyncpg_dsn == "postgresql://u:a://b@db/forlob_x"
    assert settings.sqlalchemy_url == "postgresql+asyncpg://u:a://b@db/forlob_x"


@pytest.mark.parametrize(
    "url",
    ["mysql://u@db/forlob", "sqlite:///tmp/forlob.db", "postgresql+psycopg2x://u@db/x", "amqp://guest@mq/"],
)
def test_non_postgres_url_is_refused(url: str) -> None:
    settings = XSettings(database_url=url)  # accepted as a string...
    with pytest.raises(ValueError, match="not a PostgreSQL URL"):
        _ = settings.asyncpg_dsn  # ...but refused when used
    with pytest.raises(ValueError, match="not a PostgreSQL URL"):
        _ = settings.sqlalchemy_url


@pytest.mark.parametrize("url", ["db:5432/forlob", "postgresql:/db", "just-text"])
def test_text_that_is_not_a_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="not a database URL"):
        plain_postgres_url(url)


# --- no test switch in the settings ---------------------------------------------------------------


def test_the_settings_have_no_redelivery_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    # Lost acknowledgements are a fault the test kit injects into a consumer, not a setting.
    monkeypatch.setenv("FORLOB_TEST_REDELIVER_SHARE", "0.3")
    assert not hasattr(XSettings(), "test_redeliver_share")
