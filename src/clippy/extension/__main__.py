"""``python -m clippy.extension DIST_DIR OUT_ZIP``: zip the built extension (scripts/setup)."""

import sys
from pathlib import Path

from clippy.extension.bundle import write_bundle

if len(sys.argv) != 3:
    sys.exit("usage: python -m clippy.extension DIST_DIR OUT_ZIP")
print(f"wrote {sys.argv[2]} ({write_bundle(Path(sys.argv[1]), Path(sys.argv[2]))} files)")
