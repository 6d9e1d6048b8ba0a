"""Retention: expiring every owner's data past their plan's window, and hot-to-cold tiering.

Sits above the capabilities whose data it expires (it calls their expiry functions), so
no capability below it needs to know about retention. This is the folder's face.
"""

from clippy.retention.sweeper import (
    SweepReport,
    demote_hot_segments,
    sweep_expired,
    sweep_once,
    sweep_orphans,
)

__all__ = [
    "SweepReport",
    "demote_hot_segments",
    "sweep_expired",
    "sweep_once",
    "sweep_orphans",
]
