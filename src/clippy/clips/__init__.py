"""Clips: creating them from plans or by hand, rendering the cut, listing and deleting."""
