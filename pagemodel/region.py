"""The article region: which of a page's remaining lines are its main content.

After boilerplate is harvested, pages still carry chrome that no class name betrays: login and
menu labels, tickers, blog sidebars and author boxes, player controls, reply lists. On an
article page the text that matters sits in one container — the element whose paragraphs hold
the prose (punctuated sentences) — so, in the manner of readability: the parents and
grandparents of ``<p>``/``<br>`` (and ``<article>``/``<main>``) are the candidates, each line's
prose score goes to its innermost candidate and half of it to that one's parent candidate, and
the best candidate, with its siblings that hold prose too, is the region. The page's main
heading and the few lines between it and the region (byline, date) are kept with it.

A page whose best candidate holds less than half the prose is no article (a home page, a list,
a board): all its lines stay content. Everything is decided on the line stream of
:func:`pagemodel.maintext.content_stream`; the tree is only touched to find the candidates.
"""

from __future__ import annotations

import re
from functools import lru_cache

from selectolax.lexbor import LexborNode

from pagemodel.maintext import LIST_BOX_LABELS, Line, PageNames
from pagemodel.treewalk import tag_ids

CANDIDATE_SOURCES = "p, br, pre"
CANDIDATE_TAGS = "article, main, [itemprop=articleBody]"
# Containers whose class or id says what they hold (readability's weights, trimmed): their
# prose counts for more, or for much less (comments, replies, sidebars, related lists).
NEGATIVE_NAMES = (
    "comment",
    "reply",
    "replies",
    "respond",
    "sidebar",
    "related",
    "recommend",
    "footer",
    "sponsor",
    "widget",
    "profile",
    "author-info",
    "ad-",
)
POSITIVE_NAMES = ("article", "content", "entry", "post-body", "story", "detail", "text")
_WEIGHT_SELECTOR = ", ".join(
    f"[class*={name}], [id*={name}]" for name in NEGATIVE_NAMES + POSITIVE_NAMES
)
_NEGATIVE = re.compile("|".join(map(re.escape, NEGATIVE_NAMES)))  # one scan for all names
_POSITIVE = re.compile("|".join(map(re.escape, POSITIVE_NAMES)))
NEGATIVE_WEIGHT = 0.2
POSITIVE_WEIGHT = 1.5
MAX_CANDIDATES = 400
_TOP_IDS = tag_ids(["body", "html"])  # never a candidate
# Sentence punctuation: prose has it, menus and labels do not.
_PUNCTUATION = "，。！？；：、,;!?"
_PUNCTUATION_MARK = re.compile(f"[{re.escape(_PUNCTUATION)}]")
MIN_PROSE_CHARS = 20
# Below this the page has no article worth cutting to (a few short lines).
MIN_ARTICLE_SCORE = 6.0
# The region's share of the page's prose below which the page is no article.
MIN_ARTICLE_SHARE = 0.5
# A sibling candidate joins the region when its score is this share of the best one's.
SIBLING_SHARE = 0.2
# Lines between the main heading and the region kept with it (byline, date, source).
MAX_HEADING_GAP = 6
MAX_LABEL_CHARS = 14
# A line that starts with a link's text making up this share of it is a link title.
LINK_TITLE_SHARE = 0.6
_TITLE_KEY = 4
# "【作者名！】" after a title is a byline, whatever its punctuation.
_BRACKETED = re.compile(r"【[^】]*】|\[[^\]]*\]")
# Labels after which an article's text is over (other pages' titles, readers' comments).
END_LABELS = LIST_BOX_LABELS | frozenset(
    {
        "相关报道",
        "相关专题",
        "相关评论",
        "网友评论",
        "读者评论",
        "最新评论",
        "精彩评论",
        "热门评论",
        "用户评论",
        "评论",
        "发表评论",
        "我要评论",
        "全部评论",
        "评论列表",
        "已有评论",
        "留言",
        "网友留言",
        "延伸推荐",
        "延伸阅读",
        "推荐阅读",
        "相关推荐",
        "猜你喜欢",
        "你可能会喜欢",
        "你可能还喜欢",
        "为你推荐",
        "热门推荐",
        "精彩推荐",
    }
)
_END_FIRST = frozenset(label[0] for label in END_LABELS)
_LABEL_END = re.compile(r"[\s:：>»›+＋.…（(\d条)）]*(?:更多|more|MORE|More)?[\s>»›+＋.…]*$")


def candidates(
    body: LexborNode,
    names: PageNames | None = None,
    sources: list[LexborNode] | None = None,
    tagged: list[LexborNode] | None = None,
) -> tuple[list[LexborNode], dict[int, float]]:
    """Parents and grandparents of paragraphs and line breaks, article elements and elements
    named like content or like chrome; in no particular order, each once. With the weight of
    each named one, by its position in the list.

    ``names``: the class tokens and ids the page uses, when known: only the names among them
    are looked for (each substring selector costs a pass over the tree). ``sources`` and
    ``tagged``: what ``body.css(CANDIDATE_SOURCES)`` and ``body.css(CANDIDATE_TAGS)`` give, when
    already known (:func:`pagemodel.treewalk.by_tag`)."""
    found: dict[int, LexborNode] = {}
    parents: dict[int, LexborNode] = {}
    top = _TOP_IDS
    for node in body.css(CANDIDATE_SOURCES) if sources is None else sources:
        parent = node.parent
        if parent is not None and parent.tag_id not in top:
            parents.setdefault(parent.mem_id, parent)
            if len(parents) >= MAX_CANDIDATES:
                break
    for key, parent in parents.items():
        found.setdefault(key, parent)
        grandparent = parent.parent
        if grandparent is not None and grandparent.tag_id not in top:
            found.setdefault(grandparent.mem_id, grandparent)
    for node in body.css(CANDIDATE_TAGS) if tagged is None else tagged:
        found.setdefault(node.mem_id, node)
    named: dict[int, float] = {}
    selector = _WEIGHT_SELECTOR if names is None else _weight_selector(names)
    for node in body.css(selector)[:MAX_CANDIDATES] if selector else ():
        key = node.mem_id
        found.setdefault(key, node)
        attributes = node.attributes  # one call for both attributes
        labels = f"{attributes.get('class') or ''} {attributes.get('id') or ''}".lower()
        if _NEGATIVE.search(labels):
            named[key] = NEGATIVE_WEIGHT
        elif _POSITIVE.search(labels):
            named[key] = POSITIVE_WEIGHT
    nodes = list(found.values())
    weights = {
        number: named[node.mem_id] for number, node in enumerate(nodes) if node.mem_id in named
    }
    return nodes, weights


def _weight_selector(names: PageNames) -> str:
    parts = []
    for name in NEGATIVE_NAMES + POSITIVE_NAMES:
        if name in names.class_text:
            parts.append(f"[class*={name}]")
        if name in names.id_text:
            parts.append(f"[id*={name}]")
    return ", ".join(parts)


def _has_punctuation(text: str) -> bool:
    return any(mark in text for mark in _PUNCTUATION)


def prose_score(line: str) -> float:
    if len(line) < MIN_PROSE_CHARS:
        return 0.0
    # One regex scan: 2.5x faster than a str.count per mark; str.translate is 10x slower on CJK
    punctuation = len(_PUNCTUATION_MARK.findall(line))
    if not punctuation:
        return 0.0
    return 1.0 + punctuation + min(len(line) / 100, 3.0)


def article_region(
    lines: list[Line],
    headings: set[str],
    weights: dict[int, float] | None = None,
    anchor_texts: list[str] | None = None,
) -> tuple[int, int] | None:
    """``(first, last)`` line indexes of the article region, or None when the page is no article.

    ``headings``: the texts of the page's ``h1`` (its main heading), kept with the region when
    they come shortly before it. ``weights``: candidate number → factor for the prose inside it
    (the innermost named candidate counts). ``anchor_texts``: a line that is mostly a link's
    text (another page's title with its date) is no prose, whatever its punctuation."""
    weights = weights or {}
    scores = [
        0.0
        if line.group is not None or len(line.text) < MIN_PROSE_CHARS
        else prose_score(line.text)
        for line in lines
    ]  # the length test of prose_score first, spared a call on the many short lines
    for index, value in enumerate(scores):  # only prose can be a heading or a note
        if value and (lines[index].text in headings or is_note_line(lines[index].text)):
            scores[index] = 0.0
    if anchor_texts:
        _unscore_link_titles(lines, scores, anchor_texts)
    total = sum(scores)
    if total < MIN_ARTICLE_SCORE:
        return None
    direct: dict[int, float] = {}
    parent: dict[int, int | None] = {}
    span: dict[int, list[int]] = {}
    chrome: list[bool] = [False] * len(lines)  # inside a container named like chrome
    previous: tuple[int, ...] = ()
    for index, line in enumerate(lines):
        stack = line.candidates
        if stack is not previous:  # runs of lines share their tuple: spans move on a change
            _close_spans(span, previous, index - 1)
            for depth, number in enumerate(stack):
                if number not in parent:
                    parent[number] = stack[depth - 1] if depth else None
                span.setdefault(number, [index, index])
            previous = stack
        if stack and scores[index]:
            value = scores[index]
            for number in reversed(stack):
                if number in weights:
                    value *= weights[number]
                    chrome[index] = weights[number] < 1
                    break
            direct[stack[-1]] = direct.get(stack[-1], 0.0) + value
    _close_spans(span, previous, len(lines) - 1)
    if not direct:
        return None
    score = dict(direct)
    for number, value in direct.items():
        up = parent.get(number)
        if up is not None:
            score[up] = score.get(up, 0.0) + value / 2
    best = max(score, key=score.__getitem__)
    first, last = span[best]
    # Siblings (same parent candidate, or both at the top) that hold prose too.
    bar = SIBLING_SHARE * score[best]
    for number, value in score.items():
        if number != best and parent.get(number) == parent.get(best) and value >= bar:
            first = min(first, span[number][0])
            last = max(last, span[number][1])
    last = _cut_at_list_labels(lines, scores, first, last)
    # Prose in comments and sidebars does not make a page less of an article.
    region_prose = sum(scores[first : last + 1])
    outside = sum(
        value
        for index, value in enumerate(scores)
        if value and not chrome[index] and not first <= index <= last
    )
    if region_prose < MIN_ARTICLE_SHARE * (region_prose + outside):
        return None
    for index in range(first - 1, max(-1, first - 1 - MAX_HEADING_GAP), -1):
        if lines[index].text in headings:
            first = index
            break
    return first, last


def _close_spans(span: dict[int, list[int]], stack: tuple[int, ...], last: int) -> None:
    """The candidates open up to line ``last`` reach at least that far."""
    for number in stack:
        span[number][1] = last


def _unscore_link_titles(lines: list[Line], scores: list[float], anchor_texts: list[str]) -> None:
    # Only anchors that start like a scored line can be its title (most start like none).
    keys = {lines[index].text[:_TITLE_KEY] for index, score in enumerate(scores) if score}
    firsts = {key[0] for key in keys}
    titles: dict[str, list[str]] = {}
    for raw in anchor_texts:
        if len(raw) >= _TITLE_KEY:
            stripped = raw.lstrip()
            if not stripped or stripped[0] not in firsts:
                continue
            text = " ".join(stripped.split())
            if len(text) >= _TITLE_KEY and text[:_TITLE_KEY] in keys:
                titles.setdefault(text[:_TITLE_KEY], []).append(text)
    if not titles:
        return
    for index, score in enumerate(scores):
        if not score:
            continue
        line = lines[index].text
        for title in titles.get(line[:_TITLE_KEY], ()):
            # Another page's title, then its date, author or counts: no sentence after it.
            if line.startswith(title) and (
                len(title) >= LINK_TITLE_SHARE * len(line)
                or not _has_punctuation(line[len(title) :])
            ):
                scores[index] = 0.0
                break


def _cut_at_list_labels(lines: list[Line], scores: list[float], first: int, last: int) -> int:
    """The region ends before a "相关报道：" / "网友评论" line that follows its prose: what comes
    after such a label is other pages' titles or readers' comments."""
    prose = 0.0
    for index in range(first, last + 1):
        text = lines[index].text
        if len(text) <= MAX_LABEL_CHARS and prose >= MIN_ARTICLE_SCORE and is_end_label(text):
            return index - 1
        prose += scores[index]
    return last


def is_end_label(line: str) -> bool:
    if len(line) > MAX_LABEL_CHARS or line.lstrip(" ·")[:1] not in _END_FIRST:
        return False  # a label's first character is its line's (spaces and dots aside)
    return _LABEL_END.sub("", line).replace(" ", "").replace("·", "") in END_LABELS


# Labels of controls and widgets (share, print, login, player, font size…): a line made of
# nothing else is chrome wherever it sits.
CHROME_LABELS = frozenset(
    """
    分享 分享到 微信 微博 新浪微博 腾讯微博 QQ空间 QQ好友 朋友圈 豆瓣 人人网 复制链接 扫一扫 二维码
    打印 打印本文 打印本页 打印此文 关闭 关闭窗口 关闭本页 返回 返回顶部 回到顶部 顶部 返回首页 返回列表
    收藏 收藏本文 加入收藏 发送给朋友 推荐给朋友 推荐 举报 投诉 纠错 我要纠错 点赞 赞 踩 转发 评论
    发表评论 我要评论 查看评论 登录 注册 登录注册 立即登录 免费注册 退出 忘记密码 找回密码 用户名 密码
    验证码 记住我 自动登录 搜索 站内搜索 字号 大 中 小 默认 放大 缩小 标准 播放 暂停 全屏 静音 音量 倍速
    高清 标清 超清 重播 上一页 下一页 首页 尾页 末页 更多 查看更多 展开 收起 展开全文 阅读全文 广告 订阅
    关注 取消关注 已关注 置顶 编辑 删除 回复 引用 设为首页 手机版 网站地图 联系我们 关于我们 RSS
    """.split()  # noqa: SIM905 - a word list reads better as one block
)
MAX_CHROME_LINE_CHARS = 40
_LABEL_SEPARATORS = "|｜/【】[]()（）<>《》·•:：,，、"  # with whitespace: what _LABEL_SPLIT cuts at
_LABEL_SPLIT = re.compile(r"[\s|｜/【】\[\]()（）<>《》·•:：,，、]+")
_CHROME_FIRST = frozenset(label[0] for label in CHROME_LABELS)


# Credits and legal notes: the article's metadata, not its text ("原标题：…", "责任编辑：…",
# "【免责声明】…", "版权所有…").
_CREDIT_WORDS = (
    "原标题",
    "原题",
    "责任编辑",
    "责编",
    "编辑",
    "本文来源",
    "文章来源",
    "图片来源",
    "稿件来源",
    "来源",
    "作者",
    "记者",
    "通讯员",
    "摄影",
    "校对",
    "审核",
    "审校",
)
_NOTICE_WORDS = ("免责声明", "版权声明", "特别声明", "郑重声明", "声明")
_CREDIT_LINE = re.compile(r"^[\s（(【\[]*(?:" + "|".join(_CREDIT_WORDS) + r")\s*[】\])）]?\s*[:：]")
_NOTICE_LINE = re.compile(
    r"^[\s（(【\[]*(?:" + "|".join(_NOTICE_WORDS) + r")\s*(?:[】\])）]\s*[:：]?|[:：])"
)
# A note's first word starts with one of these (after spaces and opening brackets): the regexes
# run only on lines that can match.
_CREDIT_FIRST = frozenset(word[0] for word in _CREDIT_WORDS)
_NOTICE_FIRST = frozenset(word[0] for word in _NOTICE_WORDS)
_NOTE_OPENERS = "（(【["
_LEGAL = ("版权所有", "未经授权", "未经许可", "仅代表作者", "不代表本")
_LEGAL_WORD = re.compile("|".join(_LEGAL))
# Credits are short ("记者：张三"); a long "记者：…" line is an interview question.
MAX_CREDIT_CHARS = 40
MAX_LEGAL_CHARS = 80
MAX_NOTICE_CHARS = 300


@lru_cache(maxsize=4096)  # asked twice of a prose line: by article_region, then for its block
def is_note_line(line: str) -> bool:
    """Whether a line is a credit or a legal note (kept as boilerplate, not main text)."""
    size = len(line)
    if size > MAX_NOTICE_CHARS:
        return False
    start = 0
    while start < size and (line[start].isspace() or line[start] in _NOTE_OPENERS):
        start += 1
    first = line[start : start + 1]
    if size <= MAX_CREDIT_CHARS and first in _CREDIT_FIRST and _CREDIT_LINE.match(line):
        return True
    if size <= MAX_LEGAL_CHARS and _LEGAL_WORD.search(line) is not None:
        return True
    return first in _NOTICE_FIRST and _NOTICE_LINE.match(line) is not None


def is_chrome_line(line: str) -> bool:
    """Whether a line is nothing but control labels ("分享到：微信 微博", "【打印】【关闭】")."""
    if len(line) > MAX_CHROME_LINE_CHARS or "，" in line or "。" in line:
        return False
    start = 0
    while start < len(line) and (line[start].isspace() or line[start] in _LABEL_SEPARATORS):
        start += 1
    if start < len(line) and line[start] not in _CHROME_FIRST:
        return False  # its first token is no label
    tokens = [token for token in _LABEL_SPLIT.split(line) if token]
    return bool(tokens) and all(token in CHROME_LABELS for token in tokens)
