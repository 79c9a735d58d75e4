"""Hidden text: elements a browser does not show, where hacked sites plant their link spam.

Hidden by inline style or attribute — ``display:none``, ``visibility:hidden``, the ``hidden``
attribute, off-screen (``position:absolute; left/top:-9999px``, ``text-indent:-9999px``),
``font-size:0``, ``height:0; overflow:hidden``, ``width:0``, text colour equal to the background
colour — or by a ``<style>`` rule on one class or id of the page (``.x{display:none}``); other
selectors are not worth their cost here.

The candidates are the elements with a style (found by lexbor in one query); only those whose
style holds a hint are parsed, with one regex.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

# Elements whose inline style may hide them (checked one by one after this coarse filter): the
# style holds one of these (or "background" and "color", for same-colour text).
_STYLE_HINTS = ("-9",) + tuple(
    f"{name}:{space}{value}"
    for name, value in (
        ("display", "none"),
        ("visibility", "hidden"),
        ("font-size", "0"),
        ("height", "0"),
        ("width", "0"),
    )
    for space in ("", " ")
)
_HINT = re.compile("|".join(map(re.escape, _STYLE_HINTS)))  # one scan, not one per hint
_DECLARATION = re.compile(r"([a-z-]+)\s*:\s*([^;]*)")
_ZERO = re.compile(r"^-?0(?:\.0+)?(?:px|em|rem|pt|%)?$")
_FAR_OFF = re.compile(r"^-\d{3,}(?:\.\d+)?(?:px|em|rem|pt)?$")
# Each starts with a literal, so the regex engine skips through 100 KB of CSS fast (an
# alternation of them would be tried at every position). Zero sizes are left to inline styles.
_HIDING_DECLARATIONS = tuple(
    re.compile(pattern)
    for pattern in (
        r"display\s*:\s*none",
        r"visibility\s*:\s*hidden",
        r"font-size\s*:\s*0(?![.\d])",
        r":\s*-\d{3}",
    )
)
_SIMPLE_SELECTOR = re.compile(r"^([.#])(-?[A-Za-z_][\w-]*)$")
_COLOUR_NAMES = {"white": "#ffffff", "black": "#000000", "#fff": "#ffffff", "#000": "#000000"}
# A "hidden" element holding more than this share of the page's text is a page shown by its
# scripts (anti-clickjacking, fade-in), not planted text: it is left alone.
MAX_HIDDEN_SHARE = 0.5
MAX_STYLE_CHARS = 200_000
MAX_RULE_SELECTORS = 200


def hides(style: str) -> bool:
    """Whether a CSS declaration block hides its element's text."""
    if not style:
        return False
    values: dict[str, str] = {}
    for name, value in _DECLARATION.findall(style.lower()):
        values[name] = value.replace("!important", "").strip()
    if values.get("display") == "none" or values.get("visibility") == "hidden":
        return True
    if _ZERO.match(values.get("font-size", "1")):
        return True
    overflow_hidden = values.get("overflow") == "hidden"
    if _ZERO.match(values.get("width", "1")):
        return True
    if overflow_hidden and _ZERO.match(values.get("height", "1")):
        return True
    if values.get("position") in ("absolute", "fixed") and any(
        _FAR_OFF.match(values.get(side, "")) for side in ("left", "top", "right")
    ):
        return True
    if _FAR_OFF.match(values.get("text-indent", "")):
        return True
    colour = _colour(values.get("color"))
    background = _colour(values.get("background-color") or values.get("background"))
    return colour is not None and colour == background


def _colour(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().split()[0] if value.strip() else ""
    return _COLOUR_NAMES.get(value, value) or None


def style_rule_selectors(tree: LexborHTMLParser, styles: list[LexborNode] | None = None) -> str:
    """A CSS selector of the classes and ids that the page's ``<style>`` rules hide ("" if none).

    Read before the ``<style>`` elements are stripped. Pages carry 100 KB of CSS, so the hiding
    declarations are searched for (in C) and only their rules looked at; rules nested in
    ``@media`` (a mobile menu hidden on desktops) or other at-rules are skipped. ``styles``: the
    ``<style>`` elements, when already known."""
    found: list[str] = []
    for style in tree.css("style") if styles is None else styles:
        css = style.text()[:MAX_STYLE_CHARS]
        if "{" not in css:
            continue
        seen: set[int] = set()
        hits = [match for pattern in _HIDING_DECLARATIONS for match in pattern.finditer(css)]
        for match in hits:
            brace = css.rfind("{", 0, match.start())
            if brace < 0 or brace in seen:
                continue
            seen.add(brace)
            before = css.rfind("}", 0, brace)
            if css.rfind("{", 0, brace) > before:
                continue  # nested in an at-rule
            close = css.find("}", match.end())
            if not hides(css[brace + 1 : close if close > 0 else len(css)]):
                continue
            for selector in css[before + 1 : brace].split(","):
                simple = _SIMPLE_SELECTOR.match(selector.strip())
                if simple is not None:
                    mark, name = simple.groups()
                    found.append(f"[class~={name}]" if mark == "." else f"[id={name}]")
    return ", ".join(dict.fromkeys(found[:MAX_RULE_SELECTORS]))


def hidden_nodes(root: LexborNode, rule_selector: str = "") -> list[LexborNode]:
    """The elements under ``root`` that hide their text (nested ones included; the caller keeps
    the outermost). One query finds the elements with a style or a ``hidden`` attribute; the
    coarse filter on their styles is plain substring tests (a substring selector per hint would
    cost a pass over the tree each)."""
    nodes = []
    for node in root.css("[style], [hidden]"):
        attrs = node.attrs
        if "hidden" in attrs:
            nodes.append(node)
            continue
        style = attrs.get("style") or ""
        if (_HINT.search(style) or ("background" in style and "color" in style)) and hides(style):
            nodes.append(node)
    if rule_selector:
        nodes += root.css(rule_selector)
    if not nodes:
        return nodes
    page_chars = None
    kept = []
    for node in nodes:
        chars = len(node.text(strip=True, skip_empty=True))
        if chars > 500:  # only a big block could be the whole page
            if page_chars is None:
                page_chars = len(root.text(strip=True, skip_empty=True))
            if chars > MAX_HIDDEN_SHARE * page_chars:
                continue
        kept.append(node)
    return kept
