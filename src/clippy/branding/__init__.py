"""Branding (business plan): the user's logo and where exports burn it in."""
