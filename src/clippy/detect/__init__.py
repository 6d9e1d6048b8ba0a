"""Highlight detection: pure functions from signals (audio features, words, chat) to clips."""
