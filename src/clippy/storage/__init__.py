"""Object storage (local disk or S3-compatible) and the key of every stored object."""
