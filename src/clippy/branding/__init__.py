"""Branding (business plan): the user's logo and where exports burn it in.

This is the folder's face: other folders import from here, not from its modules.
"""

from clippy.branding.logos import (
    BrandingRefused,
    job_branding,
    logo_png,
    prune_logos,
    remove_logo,
    save_logo,
    set_logo_options,
)
from clippy.branding.options import (
    CORNERS,
    MAX_LOGO_BYTES,
    MAX_LOGO_SIDE,
    OPACITY_RANGE,
    SETTINGS_KEY,
    SIZE_RANGE,
    Branding,
    BrandingError,
    LogoPlacement,
    branding_allowed,
    check_options,
    place_logo,
    read_branding,
)

__all__ = [
    "CORNERS",
    "MAX_LOGO_BYTES",
    "MAX_LOGO_SIDE",
    "OPACITY_RANGE",
    "SETTINGS_KEY",
    "SIZE_RANGE",
    "Branding",
    "BrandingError",
    "BrandingRefused",
    "LogoPlacement",
    "branding_allowed",
    "check_options",
    "job_branding",
    "logo_png",
    "place_logo",
    "prune_logos",
    "read_branding",
    "remove_logo",
    "save_logo",
    "set_logo_options",
]
