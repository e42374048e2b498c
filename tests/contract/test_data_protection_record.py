"""docs/data-protection.md is the record of processing activities that `forlob dpo
record-of-processing` makes from the services' declared data categories and the event catalogue;
and every service's export names the categories the record lists."""

from __future__ import annotations

import importlib
from pathlib import Path

from forlob_referral.domain.data_categories import DEFAULT_RETENTION_DAYS
from forlob_referral.settings import ReferralSettings
from forlob_shared.ops.processing_record import SERVICES, record_of_processing

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-protection.md"


def test_the_record_of_processing_is_current() -> None:
    made = record_of_processing()
    assert DOC.read_text() == made, "docs/data-protection.md is stale: uv run forlob dpo record-of-processing > it"


def test_the_record_names_the_participant_erasure_event_and_who_consumes_it() -> None:
    line = next(x for x in record_of_processing().splitlines() if "`participant.erased.v1`" in x and x.startswith("|"))
    assert line == "| referral | `participant.erased.v1` | attendance, notifications, reporting |"


def test_the_referral_retention_in_the_record_is_the_settings_default() -> None:
    assert ReferralSettings.model_fields["retention_days"].default == DEFAULT_RETENTION_DAYS


def test_every_service_declares_distinct_categories_with_retention_and_legal_basis() -> None:
    for service in SERVICES:
        categories = importlib.import_module(f"forlob_{service}.domain.data_categories").CATEGORIES
        names = [c.name for c in categories]
        assert len(names) == len(set(names)), service
        assert all(c.retention and c.legal_basis and c.on_erasure for c in categories), service
