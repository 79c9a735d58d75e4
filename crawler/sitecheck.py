"""The site checks of a sweep: page facts collected as pages go by, verdicts when a site settles.

``SiteCheckPipeline`` (after the scan, before the index) keeps what each page tells about its
site (:func:`sitecheck.facts.page_facts`; journalled with ``WUZHA_JOB_DIR`` so ``--resume``
judges the pages of both runs). When the crawl state settles a site (``site_settling``), the
judge (:func:`sitecheck.judge.judge_site`) turns the site's facts and its registry row into
verdicts, appended to ``state.compromise``: the site's summary, the sites index, sites.jsonl
and the report carry them from there.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from crawler.crawlstate import CrawlState
from crawler.items import PageItem
from crawler.signals import site_settling
from crawler.sitestate import SiteState
from sitecheck.facts import page_facts
from sitecheck.judge import JUDGED_KINDS, icp_number, judge_site

log = logging.getLogger(__name__)


class SiteCheckPipeline:
    def __init__(self, stats: Any, crawl_state: CrawlState | None) -> None:
        self.stats = stats
        self.crawl_state = crawl_state
        self.facts: dict[str, dict[str, dict[str, Any]]] = {}  # site id -> url -> facts
        self._icps: dict[str, tuple[str, str]] | None = None  # ICP number -> (site id, name)

    @classmethod
    def from_crawler(cls, crawler: Any) -> SiteCheckPipeline:
        pipeline = cls(crawler.stats, crawler.get_extension(CrawlState))
        crawler.signals.connect(pipeline.site_settling, signal=site_settling)
        return pipeline

    @property
    def _journal(self) -> Any:
        return self.crawl_state.journal if self.crawl_state is not None else None

    def open_spider(self) -> None:
        journal = self._journal
        if journal is None or self.crawl_state is None or self.crawl_state.resumed is None:
            return
        for site_id, facts in journal.read_site_facts():
            self.facts.setdefault(site_id, {})[facts.get("url") or ""] = facts

    def process_item(self, item: PageItem) -> PageItem:
        site_id = (item.site or {}).get("id")
        if not site_id:
            return item
        started = time.perf_counter()
        try:
            facts = page_facts(item.page(), item.scan, item.site, depth=item.depth)
        except Exception:
            log.exception("site checks failed on %s; page left out of them", item.url)
            self.stats.inc_value("sitecheck/errors")
            return item
        pages = self.facts.setdefault(site_id, {})
        if item.url not in pages:
            pages[item.url] = facts
            if self._journal is not None:
                self._journal.site_facts(site_id, facts)
        self.stats.inc_value("timing/sitecheck_seconds", time.perf_counter() - started)
        return item

    def site_settling(self, state: SiteState, **_: Any) -> None:
        pages = self.facts.pop(state.id, None)
        if not pages:
            return
        state.checked.update(JUDGED_KINDS)
        try:
            verdicts = judge_site(state.site, pages.values(), self._other_icps(state.id))
        except Exception:
            log.exception("site checks failed on site %s", state.id)
            self.stats.inc_value("sitecheck/errors")
            return
        kinds = {record.get("kind") for record in state.compromise}
        for verdict in verdicts:
            if verdict.kind in kinds:
                continue  # restored from the interrupted run, or added by another check
            state.compromise.append(verdict.to_record())
            self.stats.inc_value(f"sitecheck/verdicts/{verdict.kind}")
            log.warning("site %s: %s — %s", state.id, verdict.kind, verdict.detail)

    def _other_icps(self, site_id: str) -> dict[str, str]:
        """ICP number → name of every other registered site of the sweep."""
        if self._icps is None:
            states = self.crawl_state.states if self.crawl_state is not None else {}
            self._icps = {}
            for other in states.values():
                number = icp_number(other.site.get("icp"))
                if number:
                    self._icps.setdefault(number, (other.id, other.site.get("name") or ""))
        return {n: name for n, (owner, name) in self._icps.items() if owner != site_id}
