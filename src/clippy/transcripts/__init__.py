"""Stored transcripts: writing engine output, reading it back in time order, full-text search."""
