"""Speech recognition engines behind one ``Transcriber`` interface."""
