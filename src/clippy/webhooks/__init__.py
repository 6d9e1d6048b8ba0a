"""Webhooks (business plan): endpoints, signed deliveries with retries, the delivery log."""
