from forlob_testkit.messaging import collector, messaging_db

__all__ = ["collector", "messaging_db"]
