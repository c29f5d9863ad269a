"""How coalsim starts Debian's Chromium headless, for the browser tests and the screenshots.

Never ``playwright install`` (it downloads a browser); the flags keep Chromium off the network,
which this machine does not reach.
"""

from __future__ import annotations

import os

CHROMIUM = os.environ.get("COALSIM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
