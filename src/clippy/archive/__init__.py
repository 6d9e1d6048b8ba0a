"""The archive browser: a stream's retained recording as a timeline, previews and thumbnails."""
