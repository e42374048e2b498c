from forlob_testkit.messaging import collector
from forlob_testkit.outside import partner_feed, smtp_sink, webhook_receiver

__all__ = ["collector", "partner_feed", "smtp_sink", "webhook_receiver"]
