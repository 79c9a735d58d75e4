"""How Chromium is launched: by the crawl (``PLAYWRIGHT_LAUNCH_OPTIONS`` from crawler/projectsettings.py,
plus the guard proxy's arguments: crawler.browserprovider) and by `wuzha rules scan --render`
(crawler.renderpage), so both run the browser the same way."""

from __future__ import annotations

# No sandbox (root in a container), no GPU, /tmp instead of a small /dev/shm; and no traffic of
# its own: updates, sync, QUIC, safe browsing, pings, DNS prefetching (Playwright's defaults
# add more of the same, e.g. --disable-background-networking's field trials and hints).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-client-side-phishing-detection",
    "--disable-domain-reliability",
    "--safebrowsing-disable-auto-update",
    "--no-pings",
    "--dns-prefetch-disable",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
]

PROXY_HOST = "127.0.0.1"


def proxy_args(port: int) -> list[str]:
    """Every connection of the browser through the guard proxy (crawler.guardproxy) on `port`:
    every scheme and host, loopback too (Chromium bypasses proxies for loopback unless told
    ``<-loopback>``), and no name resolved by Chromium itself (its resolver answers "not found"
    for everything but the proxy's own address; with SOCKS5 the proxy gets the name)."""
    return [
        f"--proxy-server=socks5://{PROXY_HOST}:{port}",
        "--proxy-bypass-list=<-loopback>",
        f"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE {PROXY_HOST}",
        # WebRTC sends UDP (STUN, media) past any proxy: only proxied TCP (TURN) is left to it
        "--webrtc-ip-handling-policy=disable_non_proxied_udp",
    ]
