from forlob_shared.testing.messaging import collector, messaging_db

__all__ = ["collector", "messaging_db"]
