"""The ICP filing number (ICP备案号 / ICP许可证) a Chinese site shows in its footer."""

from __future__ import annotations

import re
import unicodedata

# Province abbreviations that prefix every ICP number.
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

ICP_RE = re.compile(
    rf"([{PROVINCES}])\s*ICP\s*([备证])\s*(?:字\s*)?(?:第\s*)?(\d{{4,12}})\s*号?"
    r"(?:\s*[-－—]\s*(\d{1,4}))?",
    re.IGNORECASE,
)
_NEEDLES = ("ICP", "icp", "Icp", "ＩＣＰ", "ｉｃｐ")
_TAGS = re.compile(r"<[^>]{0,500}>")
_ENTITY_SPACE = re.compile(r"&(?:nbsp|ensp|emsp|#160|#12288);", re.IGNORECASE)

# How far around each "ICP" in the raw HTML to look (the number may sit in a link or span).
WINDOW_BEFORE = 60
WINDOW_AFTER = 300
MAX_OCCURRENCES = 20


def normalise_icp(text: str) -> str | None:
    """The first ICP number in ``text`` in its canonical form (``京ICP备12345678号-1``)."""
    match = ICP_RE.search(unicodedata.normalize("NFKC", text))
    if match is None:
        return None
    province, kind, number, suffix = match.groups()
    return f"{province}ICP{kind}{number}号" + (f"-{suffix}" if suffix else "")


def find_icp(html: str) -> str | None:
    """Find the ICP number in raw HTML, tolerating tags and entities inside it.

    Scanning windows around "ICP" (case-insensitive, also full-width ＩＣＰ) is much cheaper than
    building the page text, and works whether or not the footer survives main-text cleaning.
    """
    found = 0
    for needle in _NEEDLES:  # str.find is far faster than a case-insensitive regex here
        start = html.find(needle)
        while start >= 0 and found < MAX_OCCURRENCES:
            found += 1
            window = html[max(0, start - WINDOW_BEFORE) : start + WINDOW_AFTER]
            icp = normalise_icp(_ENTITY_SPACE.sub(" ", _TAGS.sub("", window)))
            if icp:
                return icp
            start = html.find(needle, start + len(needle))
    return None
