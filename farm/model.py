"""The farm's data model: sites, pages and the replies the server sends.

Everything here is plain data. ``SiteSpec.pages`` is planned lazily (and cached) from the
site's own seed, so a 4,300-site farm is built in well under a second and a site's pages are
only worked out when the server, the truth export or a test first needs them.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

# Query parameters that never select content: session ids and tracking tags. Links on the farm
# carry them on purpose so crawlers must canonicalise; the server ignores them when routing.
IGNORED_PARAMS = frozenset({"sid", "extra", "from", "spm", "sessionid", "phpsessid", "jsessionid"})


class FarmLike(Protocol):
    """What site kinds, the truth and the registry export need of a farm (``farm.generator.Farm``
    is one); kinds depend on this, not on the generator that builds them."""

    sites: list[SiteSpec]
    options: FarmOptions
    seed: int
    base_port: int
    control_port: int

    def cached_render(self, site: SiteSpec, page: PageSpec, make: Callable[[], Reply]) -> Reply: ...


def route_key(path: str, query: str = "") -> str:
    """The key a request is routed by: path plus the content-selecting parameters, sorted.

    Works on the raw ``name=value`` pieces (no decoding): the farm's own links are plain
    ASCII, and this runs for every request and every planned page, so it must be cheap.
    """
    if not query:
        return path
    pieces = []
    for piece in query.split("&"):
        if not piece:
            continue
        name = piece.split("=", 1)[0].lower()
        if name in IGNORED_PARAMS or name.startswith("utm_"):
            continue
        pieces.append(piece if "=" in piece else piece + "=")
    if not pieces:
        return path
    pieces.sort()
    return path + "?" + "&".join(pieces)


def key_of(target: str) -> str:
    path, _, query = target.partition("?")
    return route_key(path or "/", query.split("#", 1)[0])


@dataclass(frozen=True, slots=True)
class PageSpec:
    """One page of a site, as planned. ``path`` is how the site links it (path + query)."""

    path: str
    role: str  # home, section, article, board, thread, topic, list, ad, profile, app, …
    topic: str  # content topic (news, anti_fraud, chatter…) or the fraud category
    fraud: str | None = None  # taxonomy category id when the page carries fraud
    aliases: tuple[str, ...] = ()
    js_only: bool = False  # the page's text exists only after running its JavaScript
    obfuscated: bool = False
    fraud_post: int | None = None  # 0-based index, on the page, of the fraud post (forums)
    fraud_floor: int | None = None  # the post's floor number (楼层, 1-based across the thread)
    quotes_scam: bool = False  # benign but quotes scam wording (anti-fraud publicity)
    shares_scam_words: bool = False  # legit business using words scams use (loans, game shop)
    lists_fraud_titles: bool = False  # a list page showing titles of fraud posts or ads
    robots_disallowed: bool = False
    status: int = 200
    params: tuple[Any, ...] = ()  # kind-specific data (thread id, page number, …)

    @property
    def seed_key(self) -> str:
        return self.path


@dataclass(slots=True)
class Reply:
    """What the server sends for one request (built without aiohttp, so it can be tested)."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    # For bodies too big to hold: an async generator factory yielding chunks.
    stream: Callable[[], AsyncIterator[bytes]] | None = None
    delay: float = 0.0  # seconds to wait before answering (slow sites)


@dataclass(frozen=True, slots=True)
class FarmOptions:
    """Sizes and delays of the hostile behaviours (small defaults keep tests quick)."""

    slow_seconds: float = 3.0
    drip_seconds: float = 20.0
    huge_bytes: int = 30 * 1024 * 1024
    gzip_bomb_bytes: int = 2 * 1024**3
    brotli_bomb_bytes: int = 1024**3
    private_subrequests: bool = False  # JS page that makes the browser request a metadata IP
    request_log_limit: int = 500_000


class SiteSpec:
    """One virtual site: registry facts, kind, and (lazily) its planned pages."""

    __slots__ = (
        "_memo",
        "_pages",
        "_routes",
        "city",
        "district",
        "external",
        "icp",
        "index",
        "kind",
        "kind_obj",
        "name",
        "owner",
        "port",
        "registry_render",
        "render_js",
        "robots",
        "seed",
        "site_type",
        "variant",
    )

    def __init__(
        self,
        *,
        index: int,
        kind: str,
        name: str,
        port: int,
        seed: str,
        icp: str,
        district: str,
        city: str,
        site_type: str,
        owner: str,
        render_js: bool,
        registry_render: bool,
        external: tuple[int, ...],
        variant: int,
        kind_obj: Any,
    ) -> None:
        self.index = index
        self.kind = kind
        self.name = name
        self.port = port
        self.seed = seed
        self.icp = icp
        self.district = district
        self.city = city
        self.site_type = site_type
        self.owner = owner
        self.render_js = render_js  # the site really needs JavaScript
        self.registry_render = registry_render  # what the office's registry says (渲染)
        self.external = external  # indices of other farm sites it links to
        self.variant = variant  # small per-site style variation
        self.robots: str | None = None
        self._pages: list[PageSpec] | None = None
        self._routes: dict[str, PageSpec] | None = None
        self.kind_obj = kind_obj  # the farm.kinds.Kind that plans and renders this site
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, make: Callable[[], Any]) -> Any:
        """Per-site cache for derived data (a forum's plan, its user list…)."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = make()
            return value

    @property
    def id(self) -> str:
        return f"site-{self.index:04d}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def hostile(self) -> str | None:
        return self.kind_obj.hostile

    @property
    def encoding(self) -> str:
        return self.kind_obj.encoding

    @property
    def context(self) -> dict[str, str]:
        return {"city": self.city, "district": self.district, "site": self.name}

    def rng(self, *parts: object) -> random.Random:
        """A generator seeded by the site and ``parts`` (string seeds are stable across runs)."""
        return random.Random(":".join([self.seed, *map(str, parts)]))

    @property
    def pages(self) -> list[PageSpec]:
        if self._pages is None:
            self._pages = self.kind_obj.plan(self)
        return self._pages

    @property
    def routes(self) -> dict[str, PageSpec]:
        if self._routes is None:
            routes: dict[str, PageSpec] = {}
            for page in self.pages:
                routes[key_of(page.path)] = page
                for alias in page.aliases:
                    routes[key_of(alias)] = page
            self._routes = routes
        return self._routes

    def page(self, target: str) -> PageSpec | None:
        return self.routes.get(key_of(target))

    def __repr__(self) -> str:
        return f"SiteSpec({self.index}, {self.kind!r}, {self.name!r}, port={self.port})"
