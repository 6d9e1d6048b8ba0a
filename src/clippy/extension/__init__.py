"""The browser extension as the server hands it out: a zip for Chrome's "Load unpacked"."""

from clippy.extension.bundle import (
    BUNDLE_FOLDER,
    ExtensionNotBuilt,
    bundle_for_server,
    write_bundle,
)

__all__ = ["BUNDLE_FOLDER", "ExtensionNotBuilt", "bundle_for_server", "write_bundle"]
