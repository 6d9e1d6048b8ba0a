"""The long-lived objects one server process shares between requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from clippy.config import Settings

if TYPE_CHECKING:
    from clippy.storage.base import ObjectStore


@dataclass
class AppContext:
    """Settings, database and object store of one running app (``app.state.ctx``)."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    store: ObjectStore
    secret_key: str
    extras: dict[str, Any] = field(default_factory=dict)
