"""Request values declared once: ids and offsets that fit the database's integer, finite
numbers, and request bodies that take JSON types as they are (no ``"1"`` for 1).

Primary keys are 32-bit ``INTEGER`` on PostgreSQL and 64-bit on SQLite; an id past the
smaller limit can name no row on either, so it is refused as invalid input (422) instead
of reaching the driver, which raised ``OverflowError``/``DataError`` (500) for 2^63.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["DB_INT_MAX", "BodyId", "IdPath", "IdQuery", "Offset", "StrictBody", "db_int"]

DB_INT_MAX = 2**31 - 1

IdPath = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="a row id")]
IdQuery = Annotated[int | None, Query(ge=1, le=DB_INT_MAX, description="only this id's rows")]
Offset = Annotated[int, Query(ge=0, le=DB_INT_MAX, description="rows to skip")]
BodyId = Annotated[int, Field(ge=1, le=DB_INT_MAX)]


class StrictBody(BaseModel):
    """Base of request bodies: JSON types are taken as they are (a string is not a number)
    and numbers must be finite (Python's JSON reader accepts ``Infinity`` and ``NaN``)."""

    model_config = ConfigDict(strict=True, allow_inf_nan=False)


def db_int(text: str) -> int | None:
    """A decimal string as an int that fits the database's integer, else ``None``."""
    if text.isascii() and text.isdigit() and int(text) <= DB_INT_MAX:
        return int(text)
    return None
