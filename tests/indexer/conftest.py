"""Sample page items shaped like the crawler's (see the team brief's data contract)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

SITE = {
    "id": None,
    "name": "平安社区论坛",
    "url": "http://bbs.pingan-demo.test:8080/",
    "domain": "bbs.pingan-demo.test",
    "icp": "京ICP备12345678号",
    "district": "海淀区",
    "type": "论坛",
    "owner": "示例网络科技有限公司",
    "render_js": False,
}

FRAUD_TEXT = (
    "招聘兼职刷单返利，日结佣金，在家可做。加微信 abc123 领取任务，先垫付后返还。"
    "另有高收益理财，稳赚不赔。"
)


def make_item(
    url: str = "http://bbs.pingan-demo.test:8080/thread-1-1-1.html?utm_source=x",
    text: str = FRAUD_TEXT,
    **overrides: Any,
) -> dict[str, Any]:
    """A scanned page item with two rules hitting (one of them twice, inside a post)."""
    item = {
        "url": url,
        "original_url": url,
        "run_id": "run-test-1",
        "site": dict(SITE),
        "status": 200,
        "fetched_at": "2026-11-23T08:00:00Z",
        "depth": 1,
        "rendered": False,
        "charset": "gb18030",
        "charset_source": "meta",
        "title": "兼职招聘 - 平安社区论坛",
        "text": text,
        "description": "论坛帖子",
        "keywords": ["兼职", "招聘"],
        "icp": "京ICP备12345678号",
        "links": [
            {
                "url": "http://bbs.pingan-demo.test:8080/forum-2-1.html",
                "text": "板块",
                "internal": True,
            },
            {"url": "http://evil.example/download.apk", "text": "下载", "internal": False},
        ],
        "apk_links": ["http://evil.example/download.apk"],
        "qr_images": [],
        "forum": {"engine": "discuz", "kind": "thread", "board_id": 2, "thread_id": 1, "page": 1},
        "posts": [
            {
                "index": 0,
                "author": "招聘小王",
                "time": "2026-11-20 10:00",
                "text": text[:30],
                "start": 0,
                "end": 30,
            },
            {
                "index": 1,
                "author": "路人",
                "time": "2026-11-20 11:00",
                "text": text[30:],
                "start": 30,
                "end": len(text),
            },
        ],
        "content_hash": "0" * 40,
        "scan": {
            "score": 87.5,
            "level": "high",
            "categories": ["task_scam", "fake_investment"],
            "hits": [
                {
                    "rule_id": "task_scam.rebate",
                    "rule_version": 2,
                    "category": "task_scam",
                    "title": "刷单返利招募",
                    "level": "high",
                    "weight": 40.0,
                    "matched": ["刷单返利"],
                    "start": 4,
                    "end": 8,
                    "snippet": "招聘兼职刷单返利，日结佣金",
                    "post_index": 0,
                },
                {
                    "rule_id": "task_scam.rebate",
                    "rule_version": 2,
                    "category": "task_scam",
                    "title": "刷单返利招募",
                    "level": "high",
                    "weight": 20.0,
                    "matched": ["垫付"],
                    "start": 38,
                    "end": 40,
                    "snippet": "先垫付后返还",
                    "post_index": 1,
                },
                {
                    "rule_id": "fake_investment.guaranteed",
                    "rule_version": 1,
                    "category": "fake_investment",
                    "title": "稳赚不赔",
                    "level": "medium",
                    "weight": 25.0,
                    "matched": ["稳赚不赔"],
                    "start": 50,
                    "end": 54,
                    "snippet": "高收益理财，稳赚不赔",
                },
            ],
            "entities": [
                {"type": "wechat", "value": "abc123", "start": 24, "end": 30},
                {"type": "wechat", "value": "abc123", "start": 60, "end": 66},
            ],
            "context": [],
            "reasons": ["刷单返利 with a WeChat contact"],
            "rule_fingerprint": "fp-test",
        },
    }
    item.update(overrides)
    return copy.deepcopy(item)


@pytest.fixture
def item() -> dict[str, Any]:
    return make_item()


@pytest.fixture
def writer_settings(es_settings, tmp_path):
    """The session's test cluster settings with a spool of this test only."""
    return es_settings.model_copy(update={"spool_dir": tmp_path / "spool"})


@pytest.fixture(scope="session")
def es_client(es_settings):
    from indexer.client import connect

    client = connect(es_settings)
    yield client
    client.close()


def refresh(client, prefix: str) -> None:
    client.indices.refresh(index=f"{prefix}-*")
