"""The site kinds of the farm, by name, with their share of a large farm."""

from __future__ import annotations

from farm.kinds.articles import (
    ArticleSite,
    Big5Site,
    CompanySite,
    GovernmentBOM,
    LocalNewsGBK,
    MislabeledCharset,
)
from farm.kinds.base import Kind
from farm.kinds.classifieds import Classifieds
from farm.kinds.cloaked import CLOAKED_KINDS
from farm.kinds.compromised import COMPROMISED_KINDS
from farm.kinds.forums import DiscuzForum, PhpbbForum
from farm.kinds.hostile import HOSTILE_KINDS
from farm.kinds.jsapp import JsApp

_CLASSES: tuple[type[Kind], ...] = (
    ArticleSite,
    LocalNewsGBK,
    DiscuzForum,
    PhpbbForum,
    Classifieds,
    CompanySite,
    Big5Site,
    GovernmentBOM,
    MislabeledCharset,
    JsApp,
    *COMPROMISED_KINDS,
    *HOSTILE_KINDS,
    *CLOAKED_KINDS,
)
KINDS: dict[str, Kind] = {cls.name: cls() for cls in _CLASSES}

NORMAL_KINDS = tuple(name for name, kind in KINDS.items() if not kind.hostile)
HOSTILE_KIND_NAMES = tuple(name for name, kind in KINDS.items() if kind.hostile)

# Shares (percent) of a large farm. Hostile kinds are rare, as on the real registry.
WEIGHTS: dict[str, float] = {
    "news_portal": 14,
    "local_news_gbk": 10,
    "discuz_forum": 14,
    "phpbb_forum": 4,
    "classifieds": 9,
    "company": 24,
    "big5_site": 2,
    "bom_site": 3,
    "mislabeled_charset": 3,
    "js_app": 5,
    # compromised sites and their clean look-alikes (farm/kinds/compromised.py)
    "hacked_gov": 1,
    "expired_takeover": 1,
    "icp_renumbered": 1,
    "sports_news": 1,
    **{name: 1 for name in HOSTILE_KIND_NAMES},
    # hacked sites that cloak or hijack, and their clean look-alike
    **{kind.name: 0.5 for kind in CLOAKED_KINDS},
}

# The first sites of every farm cycle through all kinds (js_app twice: once flagged for
# rendering in the registry, once not, so the crawler's script-only fallback is exercised).
CYCLE: tuple[str, ...] = (
    "news_portal",
    "discuz_forum",
    "local_news_gbk",
    "classifieds",
    "js_app",
    "company",
    "phpbb_forum",
    "big5_site",
    "bom_site",
    "mislabeled_charset",
    "js_app",
    *HOSTILE_KIND_NAMES,
    *(kind.name for kind in COMPROMISED_KINDS),
    *(kind.name for kind in CLOAKED_KINDS),
)


def get_kind(name: str) -> Kind:
    return KINDS[name]
