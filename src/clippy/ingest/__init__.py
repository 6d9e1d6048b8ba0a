"""WebSocket ingest: protocol, durable segment storage, acknowledgement, hot window."""
