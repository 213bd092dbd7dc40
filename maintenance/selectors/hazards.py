"""Reads of hazards, and what this part plugs into the other apps' registries (timeline, public
card, safety states, filters, rating)."""
