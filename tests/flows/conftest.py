from forlob_testkit.outside import partner_feed, smtp_sink, webhook_receiver
from forlob_testkit.sms_gateway import sms_gateway

__all__ = ["partner_feed", "sms_gateway", "smtp_sink", "webhook_receiver"]
