"""Media I/O: probing and validation, audio decoding, mezzanine transcode, cutting, thumbnails."""
