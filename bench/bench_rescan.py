"""Retro-scan throughput and memory on N stored pages (default 20,000).

    python bench/bench_rescan.py [--pages 20000] [--fraud-share 0.1] [--keep]

1. seeds N generated Chinese pages (about 1,500 characters each; a share of them carry fraud
   copy with contact ids) into a throwaway index prefix, indexed as the crawler would before
   the current rules existed (no scan yet);
2. baseline, measured in the same run: the rule engine alone over 2,000 of the same texts in
   memory (no Elasticsearch) — the ceiling a retro-scan could reach on this machine;
3. runs the retro-scan in a child process and reports pages/s, the ratio to the baseline, the
   hits it created, and the child's peak RSS next to a child that only loads the engine (the
   difference is what reading batches of pages costs; it must not grow with N).

Needs Elasticsearch (ELASTICSEARCH_URL or `wuzha es up`). The prefix is deleted afterwards
unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Written for this benchmark: ordinary forum/portal chatter and fraud copy in the taxonomy's
# wording, combined at random (never taken from real pages).
BENIGN = [
    "本周社区组织了义务植树活动，居民们热情参与，共种下银杏和樟树三百余棵。",
    "市图书馆新开设少儿阅览区，周末提供绘本共读和手工课程，欢迎家长带孩子参加。",
    "请问小区附近哪家幼儿园口碑比较好？孩子明年九月入园，想提前了解一下。",
    "今天的天气很适合骑行，我们从滨江公园出发，沿着绿道一直骑到湿地公园。",
    "本店新到一批有机蔬菜，产地直供，支持社区团购，满五十元免费送货上门。",
    "区政务服务中心延长周末办事时间，社保、医保、户籍业务均可现场办理。",
    "楼主分享的红烧肉做法试过了，火候要小一点，收汁的时候放少许冰糖。",
    "招聘前台文员一名，要求大专以上学历，熟练使用办公软件，五险一金，双休。",
    "二手自行车出售，九成新，因搬家转让，价格面议，仅限同城自提。",
    "学校运动会将于下周三举行，请各班班主任做好报名和安全教育工作。",
    "最近在学摄影，请教各位前辈入门相机和镜头怎么选，预算五千左右。",
    "物业通知：本周六上午九点至十一点停水检修，请各位业主提前储水。",
]
FRAUD = [
    "招聘网店刷单员，拍下商品自己先垫付，完成后立即返还本金和8%佣金，一单一结，加微信 {wx} 领任务。",
    "抖音点赞兼职，点一个赞3元，日结不拖欠，手机就能做，有意者加VX：{wx} 咨询。",
    "高收益理财，稳赚不赔，带单老师每天推荐内幕消息，日收益百分之五，进群 QQ群{qq}。",
    "无抵押免征信，黑户可贷，秒批秒下款，先交手续费和保证金即可放款，联系电话{phone}。",
    "高价收购银行卡四件套，对公账户优先，收手机卡物联网卡，当面交易，飞机 @{tg}。",
    "跑分平台招募码商，代收代付，日入过千，USDT承兑，钱包地址 {usdt}。",
    "百家乐真人视讯，首充送彩金，代理招募，下注即返水，客服QQ {qq}。",
]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def generated_text(rng: random.Random, fraud: bool) -> str:
    parts = [rng.choice(BENIGN) for _ in range(rng.randint(14, 22))]
    if fraud:
        contacts = {
            "wx": f"lw{_digits(rng, 4)}",
            "qq": "2" + _digits(rng, 9),
            "phone": "13" + _digits(rng, 9),
            "tg": f"card{_digits(rng, 3)}",
            "usdt": "T"
            + "".join(
                rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz123456789")
                for _ in range(33)
            ),
        }
        for _ in range(rng.randint(1, 3)):
            parts.insert(rng.randrange(len(parts)), rng.choice(FRAUD).format(**contacts))
    return "".join(parts)


def seed(settings, client, n: int, fraud_share: float, rng: random.Random) -> float:
    from indexer.writer import BulkWriter

    started = time.perf_counter()
    sites = [
        {
            "id": None,
            "name": f"测试站点{i}",
            "url": f"http://bench{i}.example.test/",
            "domain": f"bench{i}.example.test",
            "icp": f"京ICP备{i:08d}号",
            "district": "海淀区",
            "type": "论坛",
            "owner": f"测试单位{i}",
            "render_js": False,
        }
        for i in range(max(1, n // 50))
    ]
    with BulkWriter(settings, client) as writer:
        for row in sites:
            writer.upsert_site(row)
        for i in range(n):
            row = sites[i % len(sites)]
            text = generated_text(rng, rng.random() < fraud_share)
            writer.index_page(
                {
                    "url": f"{row['url']}thread-{i}-1-1.html",
                    "original_url": None,
                    "run_id": "bench",
                    "site": row,
                    "status": 200,
                    "fetched_at": "2026-11-20T00:00:00Z",
                    "depth": 1,
                    "rendered": False,
                    "charset": "utf-8",
                    "charset_source": "header",
                    "title": f"帖子 {i}",
                    "text": text,
                    "description": "",
                    "keywords": [],
                    "icp": row["icp"],
                    "links": [],
                    "apk_links": [],
                    "qr_images": [],
                    "forum": None,
                    "posts": [],
                    "content_hash": str(i),
                }
            )
    client.indices.refresh(index=f"{settings.index_prefix}-pages")
    return time.perf_counter() - started


def child(args: argparse.Namespace) -> None:
    """Runs in a subprocess so its peak RSS is the retro-scan's alone."""
    from ground.settings import settings_with
    from indexer.client import connect
    from indexer.rescan import rescan
    from rules import load_engine

    settings = settings_with(index_prefix=args.prefix)
    engine = load_engine()
    out: dict = {"engine_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if args.child == "rescan":
        client = connect(settings)
        report = rescan(client, settings, engine=engine)
        out.update(
            pages=report.pages,
            seconds=report.seconds,
            new_hits=report.new_hits,
            level_changes=report.level_changes,
            pages_per_second=report.pages_per_second,
            failed=sum(v for k, v in report.write_stats.items() if k.startswith("es/failed")),
        )
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def run_child(kind: str, prefix: str) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--prefix", prefix],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--fraud-share", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark indices")
    parser.add_argument("--child", choices=["rescan", "engine"], help=argparse.SUPPRESS)
    parser.add_argument("--prefix", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    from ground.settings import settings_with
    from indexer.client import connect
    from rules import load_engine

    prefix = f"wuzhabench-{uuid.uuid4().hex[:6]}"
    settings = settings_with(index_prefix=prefix)
    client = connect(settings)
    rng = random.Random(args.seed)
    try:
        seconds = seed(settings, client, args.pages, args.fraud_share, rng)
        print(f"seeded {args.pages:,} pages into {prefix}-pages in {seconds:.1f}s")

        engine = load_engine()
        sample = [generated_text(random.Random(i), i % 10 == 0) for i in range(2000)]
        t0 = time.perf_counter()
        for i, text in enumerate(sample):
            engine.scan(text, title=f"帖子 {i}")
        baseline = len(sample) / (time.perf_counter() - t0)
        print(f"baseline: rule engine alone, in memory: {baseline:,.0f} pages/s")

        idle = run_child("engine", prefix)
        result = run_child("rescan", prefix)
        print(
            f"retro-scan: {result['pages']:,} pages in {result['seconds']:.1f}s = "
            f"{result['pages_per_second']:,.0f} pages/s "
            f"({result['pages_per_second'] / baseline:.0%} of the engine-only baseline); "
            f"{result['new_hits']:,} new hits, {result['level_changes']:,} pages changed level, "
            f"{result['failed']} failed writes"
        )
        print(
            f"peak RSS: retro-scan process {result['peak_rss_mb']:.0f} MB vs "
            f"{idle['peak_rss_mb']:.0f} MB for a process that only loads the rules "
            f"(+{result['peak_rss_mb'] - idle['peak_rss_mb']:.0f} MB for {result['pages']:,} pages)"
        )
    finally:
        if not args.keep:
            client.options(ignore_status=404).indices.delete(
                index=f"{prefix}-*", expand_wildcards="all"
            )
            client.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}-*")
            client.options(ignore_status=404).cluster.delete_component_template(name=f"{prefix}-*")


if __name__ == "__main__":
    main()
