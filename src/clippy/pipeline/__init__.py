"""Per-segment stages (probe, mezzanine, audio features, transcript, detection, clip) and
the runners that execute them: in-process by default."""
