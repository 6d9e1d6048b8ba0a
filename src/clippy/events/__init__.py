"""Live events (new clips, export progress) from whoever makes them to every connected
browser and recorder: in one process, or across processes through PostgreSQL.

The face of ``events``: other folders import from here.
"""

from __future__ import annotations

from clippy.events.hub import EventHub, Listener, Subscription
from clippy.events.postgres import PgEventHub

__all__ = ["EventHub", "Listener", "PgEventHub", "Subscription", "make_event_hub"]


def make_event_hub(database_url: str) -> EventHub:
    """The hub for this database: across processes on PostgreSQL (any node may hold the
    subscriber), in-process on SQLite (one process owns the database file)."""
    if database_url.startswith(("postgresql", "postgres:")):
        return PgEventHub(database_url)
    return EventHub()
