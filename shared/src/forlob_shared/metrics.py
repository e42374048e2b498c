"""Prometheus metrics shared by the four services (one process-wide registry)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_PUBLISHED = Counter(
    "forlob_events_published_total", "Events the outbox relay published and the broker confirmed", ["routing_key"]
)
PUBLISH_FAILURES = Counter(
    "forlob_outbox_publish_failures_total", "Outbox publishes that were returned, nacked or timed out", ["reason"]
)
OUTBOX_ARCHIVED = Counter(
    "forlob_outbox_archived_total", "Outbox rows moved to the archive after too many failed publishes"
)
OUTBOX_BACKLOG = Gauge("forlob_outbox_backlog", "Outbox rows not yet published")
OUTBOX_OLDEST_AGE = Gauge("forlob_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox row")
RELAY_ACTIVE = Gauge("forlob_outbox_relay_active", "1 while this process holds the relay lock, 0 on standby")

EVENTS_CONSUMED = Counter(
    "forlob_events_consumed_total", "Events taken from a queue, by outcome", ["consumer", "routing_key", "outcome"]
)
HANDLER_SECONDS = Histogram(
    "forlob_event_handler_seconds",
    "Time to handle one event, including its transaction",
    ["consumer"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DEAD_LETTERED = Counter("forlob_dead_lettered_total", "Messages sent to a dead-letter queue", ["consumer", "reason"])
TRANSIENT_RETRIES = Counter(
    "forlob_transient_retries_total", "Handler attempts retried after a transient failure", ["consumer"]
)
CONSUMERS_RESTORED = Counter(
    "forlob_consumers_restored_total", "Times the watchdog re-attached a lost consumer", ["queue"]
)
QUEUE_READY = Gauge("forlob_queue_ready_messages", "Messages waiting in a consumer queue", ["queue"])
QUEUE_CONSUMERS = Gauge("forlob_queue_consumers", "Consumers the broker counts on a queue (all replicas)", ["queue"])
DEAD_LETTER_DEPTH = Gauge("forlob_dead_letter_depth", "Messages in a dead-letter queue", ["queue"])

# Rate limits (forlob_shared.http.ratelimit).
REQUESTS_REFUSED = Counter(
    "forlob_requests_refused_total", "Requests refused with 429 by a rate limit, by limit", ["limit"]
)
# Without an organisation label: /metrics answers without a token, and names no organisation.
IDENTITY_READS = Counter("forlob_identity_reads_total", "Identity numbers read (GET /referrals/{id}/identity)")
IDENTITY_READS_SPIKING = Gauge(
    "forlob_identity_reads_spiking_organisations",
    "Organisations over the identity-read spike threshold within its window (this replica); "
    "which ones is in the warning identity_reads.spike",
)
