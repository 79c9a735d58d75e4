"""A hostile rendered site and a tripwire, for the browser-guard drills.

The site is served from 127.0.0.2 (the one address the drills allow); its pages try to reach
127.0.0.1 and [::1] on the tripwire's port in every way a page can: a WebSocket, a popup, a
script navigation, an iframe, a posted form, a worker's fetch. The tripwire listens on both
addresses and records every TCP connection it accepts (and every UDP datagram on 127.0.0.1): a
drill passes only with none.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SITE_HOST = "127.0.0.2"
ALLOW_SITE = f"{SITE_HOST}/32"  # the drills' WUZHA_ALLOW_PRIVATE: the site, not the tripwire
REDIRECT = "redirect:"  # a page whose value starts so is a 302 to the rest
TEXT = "<p>" + "本站为滨江区社区便民服务信息公告发布平台，欢迎访问。" * 4 + "</p>"


def trap_pages(port: int) -> dict[str, str]:
    """Path -> HTML of each hostile page, aimed at the tripwire's `port`."""
    v4 = f"http://127.0.0.1:{port}"
    scripts = {
        "websocket": f"new WebSocket('ws://127.0.0.1:{port}/x');",
        "popup": f"window.open('http://[::1]:{port}/y');",
        "worker": "new Worker('/worker.js');",
        # a service worker's requests are not the page's: no request filter of a page sees them
        "serviceworker": "navigator.serviceWorker.register('/sw.js');",
        "navigation": f"setTimeout(function () {{ location.href = '{v4}/nav'; }}, 50);",
        # a name the proxy resolves to loopback; an IPv4 address in IPv6 dress
        "localname": f"fetch('http://localhost:{port}/a').catch(function () {{}});",
        # ICE gathering: STUN over UDP, TURN over TCP, neither an HTTP request
        "webrtc": (
            "var pc = new RTCPeerConnection({iceServers: ["
            f"{{urls: 'stun:127.0.0.1:{port}'}}, "
            f"{{urls: 'turn:127.0.0.1:{port}?transport=tcp', username: 'u', credential: 'p'}}]}});"
            "pc.createDataChannel('d');"
            "pc.createOffer().then(function (o) { return pc.setLocalDescription(o); });"
        ),
        "mapped": f"fetch('http://[::ffff:127.0.0.1]:{port}/b').catch(function () {{}});",
    }
    pages = {
        f"/{name}": f"<html><head><title>{name}</title></head><body>{TEXT}"
        f"<script>{script}</script></body></html>"
        for name, script in scripts.items()
    }
    pages["/iframe"] = (
        f"<html><head><title>iframe</title></head><body>{TEXT}"
        f"<iframe src='{v4}/frame'></iframe></body></html>"
    )
    pages["/form"] = (
        f"<html><head><title>form</title></head><body>{TEXT}"
        f"<form id=f method=post action='{v4}/post'><input name=q value=1></form>"
        "<script>document.getElementById('f').submit();</script></body></html>"
    )
    pages["/redirect"] = (
        f"<html><head><title>redirect</title></head><body>{TEXT}"
        "<iframe src='/elsewhere'></iframe></body></html>"
    )
    pages["/elsewhere"] = f"{REDIRECT}{v4}/redirected"
    links = "".join(
        f"<li><a href='{path}'>{path[1:]} 社区便民服务信息公告</a></li>" for path in pages
    )
    pages["/"] = (
        f"<html><head><title>滨江便民</title></head><body>{TEXT}<ul>{links}</ul>"
        f"<script>{scripts['websocket']}{scripts['popup']}</script></body></html>"
    )
    pages["/worker.js"] = f"fetch('{v4}/w').catch(function () {{}});"
    pages["/sw.js"] = (
        "self.addEventListener('install', function (e) {"
        f" e.waitUntil(fetch('{v4}/sw').catch(function () {{}})); }});"
    )
    return pages


class _Tripwire:
    def __init__(self) -> None:
        self.accepted: list[tuple[str, int]] = []
        self._sockets = self._bind()
        self.port = self._sockets[0].getsockname()[1]
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._serve, args=(s,), daemon=True) for s in self._sockets
        ]

    @staticmethod
    def _bind() -> list[socket.socket]:
        """Listeners on [::1] and 127.0.0.1 with the same port (and a UDP socket on 127.0.0.1)."""
        for _ in range(50):
            v6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            v6.bind(("::1", 0))
            v4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                v4.bind(("127.0.0.1", v6.getsockname()[1]))
            except OSError:
                v6.close()
                v4.close()
                continue
            try:
                udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                udp.bind(("127.0.0.1", v6.getsockname()[1]))
            except OSError:
                v6.close()
                v4.close()
                continue
            for s in (v6, v4):
                s.listen(64)
            for s in (v6, v4, udp):
                s.settimeout(0.2)
            return [v6, v4, udp]
        raise RuntimeError("no port free on both 127.0.0.1 and ::1")

    def _serve(self, listener: socket.socket) -> None:
        while not self._stop.is_set():
            if listener.type == socket.SOCK_DGRAM:
                try:
                    _data, peer = listener.recvfrom(2048)
                except TimeoutError:
                    continue
                except OSError:
                    return
                self.accepted.append(("udp", peer[1]))
                continue
            try:
                conn, peer = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append((listener.getsockname()[0], peer[1]))
            conn.close()

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        for s in self._sockets:
            s.close()


@contextmanager
def tripwire() -> Iterator[_Tripwire]:
    wire = _Tripwire()
    wire.start()
    try:
        yield wire
    finally:
        wire.stop()


@contextmanager
def hostile_site(pages: dict[str, str]) -> Iterator[str]:
    """Serve `pages` on 127.0.0.2; yields the site's root URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path.split("?", 1)[0])
            if body is None:
                self.send_error(404)
                return
            if body.startswith(REDIRECT):
                self.send_response(302)
                self.send_header("Location", body.removeprefix(REDIRECT))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = body.encode("utf-8")
            kind = "text/javascript" if self.path.endswith(".js") else "text/html; charset=utf-8"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer((SITE_HOST, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{SITE_HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
