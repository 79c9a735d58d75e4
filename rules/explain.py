"""Evidence a reviewer can read: snippets around hits and sentences saying why a page got its
level. Reviewers read Chinese; the sentences are Chinese, ids and levels stay as they are."""

from __future__ import annotations

import re

from ground.levels import LEVEL_NAMES_ZH
from rules.context import ANTI_FRAUD, ContextVerdict
from rules.result import Entity, Hit
from rules.scoring import DEFAULT_SCORING, ScoringConfig

SNIPPET_RADIUS = 40
MAX_SNIPPET_SPAN = 120  # longer evidence spans are shortened in the middle
_WHITESPACE = re.compile(r"\s+")

ENTITY_NAMES = {
    "phone": "手机号",
    "qq": "QQ",
    "qq_group": "QQ群",
    "wechat": "微信",
    "bank_card": "银行卡",
    "usdt_trc20": "USDT(TRC20)地址",
    "usdt_erc20": "USDT(ERC20)地址",
    "telegram": "Telegram",
    "url": "链接",
    "apk": "APK下载",
    "icp": "备案号",
}


def _collapse(text: str) -> str:
    return _WHITESPACE.sub(" ", text)


def snippet(text: str, start: int, end: int, radius: int = SNIPPET_RADIUS) -> str:
    """``radius`` characters each side of ``text[start:end]``, whitespace collapsed."""
    lo = max(0, start - radius)
    hi = min(len(text), end + radius)
    middle = text[start:end]
    if len(middle) > MAX_SNIPPET_SPAN:
        half = MAX_SNIPPET_SPAN // 2
        middle = middle[:half] + "…" + middle[-half:]
    out = text[lo:start] + middle + text[end:hi]
    return ("…" if lo > 0 else "") + _collapse(out).strip() + ("…" if hi < len(text) else "")


def describe_entities(entities: list[Entity], limit: int = 3) -> str:
    shown = [f"{ENTITY_NAMES.get(e.type, e.type)} {e.value}" for e in entities[:limit]]
    more = f" 等{len(entities)}项" if len(entities) > limit else ""
    return "、".join(shown) + more


def reasons(
    *,
    hits: list[Hit],
    raw_score: float,
    score: float,
    level: str,
    contact: list[str],
    money: list[str],
    factor: float,
    context: ContextVerdict,
    truncated_at: int | None = None,
    config: ScoringConfig = DEFAULT_SCORING,
) -> list[str]:
    out: list[str] = []
    if truncated_at is not None:
        out.append(f"页面过长，只扫描了前 {truncated_at} 个字符。")
    if not hits:
        out.append("没有规则命中，定为 none。")
        return out
    strongest = sorted(hits, key=lambda h: -h.weight)[:3]
    listed = "；".join(f"{h.title}（{h.rule_id}，{h.level}，权重 {h.weight:g}）" for h in strongest)
    more = f"等 {len(hits)} 条" if len(hits) > 3 else f"{len(hits)} 条"
    out.append(f"命中{more}规则：{listed}。")
    if contact:
        out.append(f"页面留有联系方式（{'、'.join(contact[:3])}），命中权重提高。")
    if money:
        out.append(f"页面有资金指令（{'、'.join(money[:3])}），命中权重提高。")
    if not contact and not money:
        out.append("页面没有联系方式或资金指令，只凭文字判断，权重不提高。")
    elif factor != 1.0:
        out.append(f"权重系数 ×{factor:g}。")
    if context.label is not None:
        kind = (
            "反诈宣传、新闻或警方提示" if context.label == ANTI_FRAUD else "类似新闻报道或案例讲述"
        )
        out.append(
            f"页面语境像{kind}（{'、'.join(context.words[:6])}），分数由 {raw_score:.1f} "
            f"降为 {score:.1f}（×{context.damping:g}），引用的诈骗话术不按诈骗页面处理。"
        )
    bands = {
        "high": f"≥ {config.high:g}",
        "medium": f"≥ {config.medium:g} 且 < {config.high:g}",
        "low": f"< {config.medium:g}",
        "none": "0",
    }
    out.append(
        f"总分 {score:.1f}（{bands.get(level, '')}），定为 {level}（{LEVEL_NAMES_ZH[level]}）。"
    )
    return out
