"""Object storage (local disk or S3-compatible), hot/archive tiering and retention."""
