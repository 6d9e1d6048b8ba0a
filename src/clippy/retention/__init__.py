"""Retention: expiring every owner's data past their plan's window, and hot-to-archive tiering.

Sits above the capabilities whose data it expires (it calls their expiry functions), so
no capability below it needs to know about retention.
"""
