"""Build a farm: ``build_farm(n_sites, seed)`` gives the same sites, pages and truth every time."""

from __future__ import annotations

import random
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from farm import phrases
from farm.kinds import CYCLE, KINDS, WEIGHTS
from farm.model import FarmOptions, PageSpec, Reply, SiteSpec
from ground.settings import default_of

DEFAULT_BASE_PORT: int = default_of("farm_base_port")
DEFAULT_SEED: int = default_of("farm_seed")

MAX_PORT = 65535


class Farm:
    """A set of virtual sites on consecutive loopback ports, with their ground truth."""

    def __init__(
        self,
        sites: list[SiteSpec],
        *,
        seed: int,
        base_port: int,
        control_port: int,
        options: FarmOptions,
    ) -> None:
        self.sites = sites
        self.seed = seed
        self.base_port = base_port
        self.control_port = control_port
        self.options = options
        self.by_port = {site.port: site for site in sites}
        self._render_cache: OrderedDict[tuple[int, str], Reply] = OrderedDict()

    def __len__(self) -> int:
        return len(self.sites)

    def __repr__(self) -> str:
        return f"Farm({len(self.sites)} sites, seed={self.seed}, ports {self.port_range})"

    @property
    def port_range(self) -> str:
        return f"{self.base_port}-{self.base_port + len(self.sites) - 1}"

    def url(self, index: int) -> str:
        return self.sites[index].url

    def site_for_port(self, port: int) -> SiteSpec | None:
        return self.by_port.get(port)

    def sites_of_kind(self, kind: str) -> list[SiteSpec]:
        return [site for site in self.sites if site.kind == kind]

    def cached_render(self, site: SiteSpec, page: PageSpec, make: Callable[[], Reply]) -> Reply:
        """Rendered pages are kept in a small LRU: crawlers fetch aliases and retries."""
        key = (site.index, page.path)
        reply = self._render_cache.get(key)
        if reply is None:
            reply = make()
            self._render_cache[key] = reply
            if len(self._render_cache) > 2048:
                self._render_cache.popitem(last=False)
        else:
            self._render_cache.move_to_end(key)
        # Replies are mutated by callers (delay): hand out a copy.
        return Reply(reply.status, dict(reply.headers), reply.body, reply.stream, reply.delay)

    # --- ground truth and registry ---------------------------------------------------------
    def truth(self, *, registry_bad_rows: bool = True) -> dict[str, Any]:
        from farm.truth import farm_truth

        return farm_truth(self, registry_bad_rows=registry_bad_rows)

    def write_truth(self, path: str | Path) -> Path:
        from farm.truth import write_truth

        return write_truth(self, Path(path))

    def registry_rows(self, *, bad_rows: bool = False):
        from farm.registry import registry_rows

        return registry_rows(self, bad_rows=bad_rows)

    def write_registry(
        self, path: str | Path, *, bad_rows: bool = False, encoding: str = "utf-8-sig"
    ) -> Path:
        """Write the office's registry of these sites as CSV or XLSX (by the file's suffix)."""
        from farm.registry import write_registry

        return write_registry(self, Path(path), bad_rows=bad_rows, encoding=encoding)


def _pick_kind(rng: random.Random) -> str:
    names = list(WEIGHTS)
    return rng.choices(names, weights=[WEIGHTS[n] for n in names], k=1)[0]


def _icp(rng: random.Random, provinces: list[str]) -> str:
    number = f"{rng.randint(2008, 2024)}{rng.randint(0, 99999999):08d}"[: rng.choice((10, 11, 12))]
    suffix = f"-{rng.randint(1, 3)}" if rng.random() < 0.6 else ""
    return f"{rng.choice(provinces)}ICP备{number}号{suffix}"


def build_farm(
    n_sites: int = 60,
    seed: int = DEFAULT_SEED,
    base_port: int = DEFAULT_BASE_PORT,
    *,
    control_port: int | None = None,
    options: FarmOptions | None = None,
) -> Farm:
    """Plan ``n_sites`` virtual sites on ports ``base_port`` … ``base_port + n_sites - 1``.

    The first ``len(CYCLE)`` sites cycle through every kind (so a farm that size has them all);
    the rest are drawn by the kinds' shares. The control port (request log, truth) defaults to
    ``base_port - 1``. Pages are planned lazily, per site, when first needed.
    """
    if n_sites < 1:
        raise ValueError("a farm needs at least one site")
    if control_port is None:
        control_port = base_port - 1
    if not (1024 <= min(base_port, control_port) and base_port + n_sites - 1 <= MAX_PORT):
        raise ValueError(
            f"ports {base_port}..{base_port + n_sites - 1} (control {control_port}) do not fit in 1024..{MAX_PORT}"
        )
    data = phrases.site()
    names_taken: set[str] = set()
    sites: list[SiteSpec] = []
    for index in range(n_sites):
        rng = random.Random(f"{seed}:{index}")
        kind = CYCLE[index] if index < len(CYCLE) else _pick_kind(rng)
        variant = rng.randint(0, 999)
        city = rng.choice(data["cities"])
        district = rng.choice(data["districts"])
        patterns = data["name_patterns"].get(kind, data["name_patterns"]["default"])
        pattern = patterns[variant % len(patterns)] if kind == "company" else rng.choice(patterns)
        word = rng.choice(data["company_words"])
        name = pattern.format(city=city, district=district, word=word)
        if name in names_taken:
            name = f"{district}{name}" if not name.startswith(district) else name
            n = 2
            base = name
            while name in names_taken:
                name = f"{base}{n}"
                n += 1
        names_taken.add(name)
        owner_type = getattr(KINDS[kind], "owner_type", None)
        if kind == "company" or owner_type == "company":
            owner = name
        elif kind == "bom_site" or owner_type == "government":
            owner = f"{city}{district}人民政府办公室"
        else:
            owner = f"{city}{word}文化传媒有限公司"
        needs_js = KINDS[kind].needs_js
        # One js_app of the first cycle (and one in five later) is not flagged in the registry.
        registry_render = needs_js and not (
            index == CYCLE.index("js_app", 5) or (index >= len(CYCLE) and variant % 5 == 0)
        )
        others = [i for i in rng.sample(range(n_sites), k=min(n_sites, 5)) if i != index][:3]
        sites.append(
            SiteSpec(
                index=index,
                kind=kind,
                name=name,
                port=base_port + index,
                seed=f"{seed}:{index}:{variant}",
                icp=_icp(rng, data["icp_provinces"]),
                district=district,
                city=city,
                site_type=data["registry_types"].get(kind, data["registry_types"]["default"]),
                owner=owner,
                render_js=needs_js,
                registry_render=registry_render,
                external=tuple(others),
                variant=variant,
                kind_obj=KINDS[kind],
            )
        )
    return Farm(
        sites,
        seed=seed,
        base_port=base_port,
        control_port=control_port,
        options=options or FarmOptions(),
    )
