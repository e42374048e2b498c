from forlob_shared.testing.messaging import collector
from forlob_shared.testing.outside import partner_feed, smtp_sink, webhook_receiver

__all__ = ["collector", "partner_feed", "smtp_sink", "webhook_receiver"]
