"""Clippy: clip live streams automatically, offline by default."""

__version__ = "0.1.0"
