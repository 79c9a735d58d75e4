"""The JS-rendered site really renders in Chromium (the crawler depends on it)."""

from __future__ import annotations

import pytest

from crawler.chromium import CHROMIUM_ARGS
from tests.farm.conftest import site_of


@pytest.mark.chromium
def test_js_pages_render_their_text_and_links(served, small_farm, truth, chromium_path):
    from playwright.sync_api import sync_playwright

    site = site_of(small_farm, "js_app")
    kind = site.kind_obj
    pages = [p for p in site.pages if p.role == "app"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            seen_variants = set()
            for spec in [site.pages[0], *pages]:
                page.goto(site.url[:-1] + spec.path, wait_until="networkidle")
                page.wait_for_selector("#app h1", timeout=10_000)
                text = page.inner_text("#app")
                if spec.role == "app":
                    assert kind.text(site, spec).title in text
                    seen_variants.add(truth["sites"][site.index]["data_encoding"][spec.path])
                else:
                    hrefs = page.eval_on_selector_all(
                        "#app ul.list a", "els => els.map(e => e.getAttribute('href'))"
                    )
                    assert set(hrefs) == {p.path for p in pages}
                assert site.icp in text
            assert seen_variants == {"b64", "codes", "fetch"} or len(pages) < 6
        finally:
            browser.close()
