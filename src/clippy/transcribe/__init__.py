"""Speech recognition engines behind one ``Transcriber`` interface, and the stored transcript
(per-segment text with word times, full-text search)."""
