"""Fixtures for the farm's own tests: one small farm served for the whole module."""

from __future__ import annotations

import pytest

import farm

# Small hostile sizes keep the tests quick; the defaults are exercised by bench/ and the demo.
SMALL = farm.FarmOptions(
    slow_seconds=0.1,
    drip_seconds=1.0,
    huge_bytes=2_000_000,
    gzip_bomb_bytes=64 * 1024 * 1024,
    brotli_bomb_bytes=64 * 1024 * 1024,
)


@pytest.fixture(scope="session")
def small_farm() -> farm.Farm:
    return farm.build_farm(40, seed=11, base_port=farm.free_base_port(40), options=SMALL)


@pytest.fixture(scope="session")
def served(small_farm):
    with farm.running(small_farm) as running:
        yield running


@pytest.fixture(scope="session")
def truth(small_farm) -> dict:
    return small_farm.truth()


def site_of(small_farm, kind: str, nth: int = 0):
    return small_farm.sites_of_kind(kind)[nth]
