"""Sweep throughput: the whole pipeline against plain Scrapy, on the same farm, in the same run.

    python bench/bench_crawl.py [--sites 500] [--max-pages 40] [--no-render]

1. Serves a farm of --sites virtual sites in a child process.
2. Full sweep (`crawler.run.run_crawl`): fetch, decode, extract, follow links within budgets,
   scan with the rule engine, index into Elasticsearch when one is configured, write files.
3. Plain Scrapy: the very URLs the full sweep fetched, as start requests of a spider whose
   callback does nothing, with the same Scrapy settings (concurrency, per-site slots,
   AutoThrottle, robots.txt, timeouts, SSRF guard) and no pipelines.

Each crawl runs in its own process (Twisted's reactor cannot be restarted). Printed: pages/s of
each and their ratio (target: full >= 40% of plain), peak memory (max RSS of each crawl
process), and where the full sweep's CPU went: extract (decode + parse), scan, index, files,
and the rest (fetching: Twisted, HTTP, scheduling, link following).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FARM_ARGS = ["--slow-seconds", "2", "--huge-mb", "8", "--bomb-mb", "256"]


# --- child processes ---------------------------------------------------------------------------


def _jsonable(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: (v if isinstance(v, int | float | str) else str(v)) for k, v in stats.items()}


def child_full(args: argparse.Namespace) -> None:
    from crawler.run import CrawlOptions, run_crawl
    from crawler.sitelist import load_sites
    from ground.settings import settings_with

    config = settings_with(
        crawl_playwright=bool(int(args.render)),
        crawl_download_timeout=8.0,
        crawl_page_workers=int(args.page_workers),
    )
    sites, _ = load_sites(args.sites_file)
    cpu0 = time.process_time()
    result = run_crawl(
        config,
        CrawlOptions(
            sites=sites,
            out_dir=Path(args.out),
            overwrite=True,  # the benchmark's scratch folder: each run replaces the last
            max_pages=args.max_pages,
            max_depth=4,
            site_timeout=args.site_timeout,
            allow_private=["127.0.0.0/8"],
            job_dir=Path(args.job),
            log_level="WARNING",
        ),
    )
    Path(args.result).write_text(
        json.dumps(
            {
                "stats": _jsonable(result.stats),
                "cpu": time.process_time() - cpu0,
                "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            }
        )
    )


def child_plain(args: argparse.Namespace) -> None:
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings as ScrapySettings

    from crawler.run import CrawlOptions, build_settings
    from crawler.sitelist import load_sites
    from ground.settings import settings_with

    config = settings_with(crawl_playwright=False, crawl_download_timeout=8.0)
    sites, _ = load_sites(args.sites_file)
    urls = [json.loads(line) for line in Path(args.urls).read_text().splitlines() if line]

    class PlainSpider(scrapy.Spider):
        name = "plain"

        async def start(self):
            for entry in urls:
                yield scrapy.Request(
                    entry["u"],
                    callback=self.parse,
                    errback=self.failed,
                    meta={"download_slot": entry["s"]},
                    dont_filter=True,
                )

        def parse(self, response):  # the empty callback of the baseline
            return None

        def failed(self, failure):
            return None

    values = build_settings(
        config,
        CrawlOptions(
            sites=sites,
            allow_private=["127.0.0.0/8"],
            job_dir=Path(args.job),
            log_level="WARNING",
        ),
    )
    values.update(
        {
            "ITEM_PIPELINES": {},
            "EXTENSIONS": {"scrapy.extensions.telnet.TelnetConsole": None},
            "DOWNLOADER_MIDDLEWARES": {
                "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
                "crawler.middlewares.ssrf.SSRFGuardMiddleware": 40,
            },
        }
    )
    settings = ScrapySettings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(values, priority="cmdline")
    cpu0 = time.process_time()
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PlainSpider)
    process.crawl(crawler)
    process.start()
    Path(args.result).write_text(
        json.dumps(
            {
                "stats": _jsonable(crawler.stats.get_stats()),
                "cpu": time.process_time() - cpu0,
                "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            }
        )
    )


# --- the benchmark -------------------------------------------------------------------------------


def _run_child(mode: str, **kwargs: str) -> dict[str, Any]:
    argv = [sys.executable, __file__, "--child", mode]
    for key, value in kwargs.items():
        argv += [f"--{key.replace('_', '-')}", str(value)]
    started = time.monotonic()
    proc = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{mode} crawl failed:\n{proc.stderr[-3000:]}")
    result = json.loads(Path(kwargs["result"]).read_text())
    result["wall"] = time.monotonic() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--max-pages", type=int, default=40)
    parser.add_argument("--site-timeout", type=float, default=60.0)
    parser.add_argument("--no-render", action="store_true")
    parser.add_argument(
        "--page-workers",
        type=int,
        default=None,
        help="worker processes reading and scanning pages (0: in the crawler process; "
        "default: the crawl_page_workers setting's default)",
    )
    parser.add_argument("--child", choices=("full", "plain"))
    parser.add_argument("--render", default="1")
    for name in ("sites-file", "out", "job", "result", "urls"):
        parser.add_argument(f"--{name}")
    args = parser.parse_args()
    if args.page_workers is None:
        from ground.settings import default_of

        args.page_workers = default_of("crawl_page_workers")
    if args.child == "full":
        return child_full(args)
    if args.child == "plain":
        return child_plain(args)

    from farm.runner import serve_subprocess
    from ground.settings import get_settings
    from indexer.client import configured_url
    from indexer.localstate import health

    config = get_settings()
    es_url = configured_url(config)
    es = bool(es_url and health(es_url))
    work = Path(tempfile.mkdtemp(prefix="wuzha-bench-crawl-"))
    print(
        f"farm: {args.sites} sites; budget {args.max_pages} pages/site; "
        f"render {'off' if args.no_render else 'on'}; Elasticsearch {'on: ' + es_url if es else 'off'}"
    )
    with serve_subprocess(args.sites, truth_out=work / "truth.json", extra_args=FARM_ARGS):
        truth = json.loads((work / "truth.json").read_text("utf-8"))
        sites_file = work / "sites.jsonl"
        with sites_file.open("w", encoding="utf-8") as fh:
            for site in truth["sites"]:
                fh.write(
                    json.dumps(
                        {
                            "id": site["id"],
                            "name": site["name"],
                            "url": site["registry_url"],
                            "render_js": site["registry_render"],
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
        full = _run_child(
            "full",
            sites_file=sites_file,
            out=work / "out",
            job=work / "job",
            result=work / "full.json",
            max_pages=args.max_pages,
            site_timeout=args.site_timeout,
            render=0 if args.no_render else 1,
            page_workers=args.page_workers,
        )
        plain = _run_child(
            "plain",
            sites_file=sites_file,
            urls=work / "job" / "requests.jsonl",
            job=work / "job-plain",
            result=work / "plain.json",
        )

    fs, ps = full["stats"], plain["stats"]
    full_pages = int(fs.get("response_received_count", 0))
    plain_pages = int(ps.get("response_received_count", 0))
    full_rate = full_pages / float(fs["elapsed_time_seconds"])
    plain_rate = plain_pages / float(ps["elapsed_time_seconds"])
    print(
        f"\nfull sweep : {full_pages:6d} responses ({int(fs.get('sweep/pages', 0))} pages emitted, "
        f"{int(fs.get('scan/pages', 0))} scanned) in {float(fs['elapsed_time_seconds']):6.1f} s "
        f"= {full_rate:6.1f} pages/s, peak RSS {full['maxrss_kb'] / 1024:.0f} MB"
    )
    print(
        f"plain Scrapy: {plain_pages:6d} responses in {float(ps['elapsed_time_seconds']):6.1f} s "
        f"= {plain_rate:6.1f} pages/s, peak RSS {plain['maxrss_kb'] / 1024:.0f} MB"
    )
    print(f"ratio      : {full_rate / plain_rate:.0%} of plain Scrapy (target >= 40%)")
    cpu = full["cpu"]
    workers = int(args.page_workers)
    reading = {
        "extract (decode+parse)": float(fs.get("timing/extract_seconds", 0)),
        "scan (rules)": float(fs.get("timing/scan_seconds", 0)),
    }
    parts = {} if workers else dict(reading)
    parts["index (Elasticsearch)"] = float(fs.get("timing/index_seconds", 0))
    parts["files (jsonl)"] = float(fs.get("timing/output_seconds", 0))
    parts["fetch & engine (rest)"] = max(0.0, cpu - sum(parts.values()))
    print(
        f"\nwhere the full sweep's CPU went ({cpu:.1f} s of CPU in the crawler process; "
        f"{full_pages and cpu / full_pages * 1000:.1f} ms per page):"
    )
    for name, seconds in parts.items():
        per_page = seconds / max(1, full_pages) * 1000
        print(f"  {name:24s} {seconds:7.1f} s  {seconds / cpu:5.0%}  {per_page:5.2f} ms/page")
    if workers:
        print(f"and in the {workers} page workers (CPU seconds there):")
        for name, seconds in reading.items():
            per_page = seconds / max(1, full_pages) * 1000
            print(f"  {name:24s} {seconds:7.1f} s         {per_page:5.2f} ms/page")
    print(f"\nwork dir: {work}")


if __name__ == "__main__":
    main()
