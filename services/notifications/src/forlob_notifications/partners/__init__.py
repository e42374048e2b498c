"""The partner feed: internal events and the notification policy's decisions, translated into the
published partner contract (forlob_shared.partner) and sent on both channels, the AMQP feed
(through the outbox) and webhooks, with one payload."""
