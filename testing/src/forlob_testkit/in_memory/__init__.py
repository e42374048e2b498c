"""In-memory repositories and units of work per service, for the fast test tier."""
