"""FastAPI application: REST API, WebSocket ingest endpoint, live events, pages."""
