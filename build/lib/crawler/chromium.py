"""How Chromium is launched: by the crawl (``PLAYWRIGHT_LAUNCH_OPTIONS`` in crawler/settings.py)
and by the tests that drive it directly, so both run the browser the same way."""

from __future__ import annotations

# No sandbox (root in a container), no GPU, no background traffic of its own
# (updates, sync, QUIC), /tmp instead of a small /dev/shm.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
