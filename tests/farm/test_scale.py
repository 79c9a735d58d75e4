"""The farm at benchmark scale, and served from a separate process."""

from __future__ import annotations

import http.client
import resource

import pytest

import farm

N_SITES = 4300


def _get(port: int, path: str = "/") -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    status = conn.getresponse().status
    conn.close()
    return status


@pytest.mark.slow
def test_4300_listeners_start_and_answer():
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = 2 * (N_SITES + 1) + 256
    if hard != resource.RLIM_INFINITY and hard < needed:
        pytest.skip(
            f"RLIMIT_NOFILE hard limit is {hard}; serving {N_SITES} sites needs about {needed}"
        )
    big = farm.build_farm(N_SITES, seed=9, base_port=farm.free_base_port(N_SITES))
    with farm.running(big) as served:
        for index in (0, 1, N_SITES // 2, N_SITES - 1):
            site = big.sites[index]
            home = "/index.php" if site.kind == "phpbb_forum" else "/"
            assert _get(site.port, home) in (200, 302, 503), site
        # Subset, not equality: ports are shared with the rest of the machine, strays may knock.
        assert {0, 1, N_SITES // 2, N_SITES - 1} <= {row["site"] for row in served.requests()}


def test_serve_subprocess(tmp_path):
    registry = tmp_path / "sites.csv"
    with farm.serve_subprocess(25, seed=4, registry_out=registry) as proc:
        assert proc.health()["sites"] == 25
        assert _get(proc.base_port) == 200
        assert _get(proc.base_port + 1, "/no-such.html") == 404
        paths = [(row["site"], row["path"], row["status"]) for row in proc.requests()]
        assert paths == [(0, "/", 200), (1, "/no-such.html", 404)]
        proc.clear_requests()
        assert proc.requests() == []
        assert registry.read_text(encoding="utf-8-sig").startswith("网站名称,网址")
    assert proc.process.returncode == 0
