"""Operator tools: broker administration, partner feeds, dead letters."""
