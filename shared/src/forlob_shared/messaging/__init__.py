"""Messaging: topology, the transactional outbox and its relay, the idempotent inbox, consumers."""
