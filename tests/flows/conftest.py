from forlob_testkit.outside import partner_feed, smtp_sink, webhook_receiver

__all__ = ["partner_feed", "smtp_sink", "webhook_receiver"]
