from __future__ import annotations

import base64
import http.client
import json
import re
import urllib.request
import zlib

import pytest
from bs4 import BeautifulSoup

import farm
from farm import bombs
from tests.farm.conftest import site_of


def fetch(site, path, method="GET", headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=30)
    conn.request(method, path, headers={"Accept-Encoding": "identity", **(headers or {})})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def header_charset(headers):
    match = re.search(r"charset=([\w-]+)", headers.get("content-type", ""))
    return match.group(1) if match else None


@pytest.mark.parametrize(
    "kind",
    ["local_news_gbk", "bom_site", "mislabeled_charset", "big5_site", "hostile_wrong_charset"],
)
def test_bytes_and_declared_charsets_match_the_truth(served, small_farm, truth, kind):
    site = site_of(small_farm, kind)
    pages = truth["sites"][site.index]["benign_pages"][:12]
    for page in pages:
        status, headers, body = fetch(site, page["path"])
        assert status == 200
        plan = page["charset"]
        assert header_charset(headers) == plan["header_charset"]
        assert body.startswith(b"\xef\xbb\xbf") == plan["bom"]
        text = body.decode(plan["encoding"].replace("gbk", "gb18030"), errors="strict")
        if plan["meta_charset"]:
            assert f"charset={plan['meta_charset']}" in text
        assert site.name in text or kind == "big5_site"


def test_gbk_forum_is_gbk_and_not_utf8(served, small_farm):
    site = site_of(small_farm, "discuz_forum")
    _, headers, body = fetch(site, "/")
    assert header_charset(headers) == "gbk"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert site.name in body.decode("gbk")


def test_mislabeled_site_says_utf8_but_sends_gbk(served, small_farm):
    site = site_of(small_farm, "mislabeled_charset")
    _, headers, body = fetch(site, "/")
    assert header_charset(headers) == "utf-8"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert site.name in body.decode("gb18030")


def test_big5_site_is_traditional(served, small_farm):
    site = site_of(small_farm, "big5_site")
    _, _, body = fetch(site, "/")
    text = body.decode("big5", errors="strict")
    assert "網" in text or "鄉" in text


def test_discuz_markup_and_fraud_post(served, small_farm, truth):
    site = site_of(small_farm, "discuz_forum")
    fraud = truth["sites"][site.index]["fraud_pages"][0]
    status, _, body = fetch(site, fraud["path"])
    assert status == 200
    soup = BeautifulSoup(body.decode("gbk"), "lxml")
    assert soup.select_one("div#postlist")
    posts = soup.select("div#postlist table[id^=pid]")
    messages = soup.select("td.t_f[id^=postmessage_]")
    assert (
        len(posts)
        == len(messages)
        == len(soup.select("a.xw1"))
        == len(soup.select("em[id^=authorposton]"))
    )
    flagged = messages[fraud["post_index"]].get_text()
    entity = fraud["entities"][0]["value"]
    digits = flagged.translate(str.maketrans("０１２３４５６７８９", "0123456789")).replace("-", "")
    assert entity in digits or entity in flagged
    # The forum.php alias shows the same page.
    _, _, alias_body = fetch(site, fraud["aliases"][0])
    assert alias_body == body


def test_discuz_board_paging_links(served, small_farm):
    paged = [
        (s, p)
        for s in small_farm.sites_of_kind("discuz_forum")
        for p in s.pages
        if p.role == "board" and p.params[2] > 1
    ]
    assert paged, "some board of the farm's forums has several pages"
    site, board = paged[0]
    _, _, body = fetch(site, board.path)
    assert re.search(rb'href="forum-\d+-2\.html"', body)
    thread = next(p for p in site.pages if p.role == "thread" and p.params[3] > 1)
    _, _, body = fetch(site, thread.path)
    assert f'href="thread-{thread.params[1]}-2-1.html"'.encode() in body


def test_phpbb_session_ids_do_not_change_content(served, small_farm):
    site = site_of(small_farm, "phpbb_forum")
    topic = next(p for p in site.pages if p.role == "thread")
    _, _, plain = fetch(site, topic.path)
    _, _, with_sid = fetch(site, topic.path + "&sid=0123456789abcdef0123456789abcdef")
    assert plain == with_sid
    assert b'class="postbody"' in plain


def test_js_page_text_only_after_decoding(served, small_farm, truth):
    site = site_of(small_farm, "js_app")
    page = next(p for p in truth["sites"][site.index]["fraud_pages"] if p["js_only"])
    _, _, body = fetch(site, page["path"])
    raw = body.decode("utf-8")
    spec = site.page(page["path"])
    title = site.kind_obj.text(site, spec).title
    assert title not in raw
    assert '<a href="/p/' not in raw
    match = re.search(r'dec\("([A-Za-z0-9+/=]+)"\)', raw)
    if match:
        assert title in base64.b64decode(match.group(1)).decode("utf-8")
    elif "fromCharCode" in raw:
        codes = re.search(r"apply\(null,\[([\d,]+)\]", raw).group(1)
        assert title in "".join(map(chr, map(int, codes.split(","))))
    else:
        api = re.search(r"fetch\('([^']+)'\)", raw).group(1)
        _, _, payload = fetch(site, api)
        assert title in base64.b64decode(json.loads(payload)["d"]).decode("utf-8")


def test_redirects_go_where_the_truth_says(served, small_farm, truth):
    for kind in ("hostile_redirect_loop", "hostile_private_redirect"):
        site = site_of(small_farm, kind)
        for redirect in truth["sites"][site.index]["redirects"]:
            status, headers, _ = fetch(site, redirect["path"])
            assert status == redirect["status"]
            assert headers["location"] == redirect["location"]


def test_gzip_bomb_is_small_on_the_wire(served, small_farm):
    site = site_of(small_farm, "hostile_gzip_bomb")
    status, headers, body = fetch(site, "/bomb.html", headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    inflater = zlib.decompressobj(31)
    inflated = 0
    for start in range(0, len(body), 4096):
        inflated += len(inflater.decompress(body[start : start + 4096]))
    assert inflater.eof
    assert inflated >= small_farm.options.gzip_bomb_bytes - 1024 * 1024
    assert len(body) * 500 < inflated


def test_default_gzip_bomb_expands_to_gigabytes_from_a_few_megabytes():
    size = farm.FarmOptions().gzip_bomb_bytes
    body = bombs.gzip_bomb(size)
    assert len(body) < 3 * 1024 * 1024 and size >= 2 * 1024**3
    inflater = zlib.decompressobj(31)
    first = inflater.decompress(
        body[: 64 * 1024], 16 * 1024 * 1024
    )  # bounded: never inflate it all
    assert first.startswith(b"<!DOCTYPE html>") and len(first) == 16 * 1024 * 1024


def test_huge_pages_with_and_without_length(served, small_farm):
    site = site_of(small_farm, "hostile_huge")
    _, headers, body = fetch(site, "/big.html")
    assert int(headers["content-length"]) == len(body) == small_farm.options.huge_bytes
    _, headers, body = fetch(site, "/big-chunked.html")
    assert "content-length" not in headers and len(body) == small_farm.options.huge_bytes


def test_binary_served_as_html(served, small_farm):
    site = site_of(small_farm, "hostile_binary")
    _, headers, body = fetch(site, "/files/logo.html")
    assert headers["content-type"].startswith("text/html") and body.startswith(b"\x89PNG")


def test_server_errors_and_flaky_pages(served, small_farm, truth):
    site = site_of(small_farm, "hostile_5xx")
    for error in truth["sites"][site.index]["errors"]:
        assert fetch(site, error["path"])[0] == error["status"]
    served.clear_requests()
    assert fetch(site, "/flaky/1.html")[0] == 503
    assert fetch(site, "/flaky/1.html")[0] == 200


def test_slow_site_delays_every_answer(small_farm):
    from farm.kinds.base import FarmRequest

    site = site_of(small_farm, "hostile_slow")
    reply = site.kind_obj.respond(site, small_farm, FarmRequest("/", ""))
    assert reply.status == 200 and reply.delay == small_farm.options.slow_seconds


def test_traps_never_end(served, small_farm):
    site = site_of(small_farm, "hostile_calendar")
    path = "/calendar/?month=2024-06"
    for _ in range(30):
        _, _, body = fetch(site, path)
        path = re.search(r'href="([^"]+)">下个月', body.decode()).group(1)
    assert path == "/calendar/?month=2026-12"
    site = site_of(small_farm, "hostile_facets")
    _, _, body = fetch(site, "/products/?page=41&sort=price")
    assert "page=42" in body.decode() and body.decode().count("/products/?") > 10
    site = site_of(small_farm, "hostile_long_urls")
    status, _, _ = fetch(site, "/search?q=" + "x" * 70_000)
    assert status == 200


def test_robots_txt_as_in_truth(served, small_farm, truth):
    for site_truth in truth["sites"]:
        site = small_farm.sites[site_truth["index"]]
        status, _, body = fetch(site, "/robots.txt")
        if site_truth["robots_txt"] is None:
            assert status == 404
        else:
            assert body.decode() == site_truth["robots_txt"]
    disallowing = [
        s for s in truth["sites"] if s["robots_disallow"] and s["kind"] == "discuz_forum"
    ]
    assert disallowing and "/forum.php?mod=post*" in disallowing[0]["robots_disallow"]


def test_assets_on_fraud_pages(served, small_farm, truth):
    pages = [(s, p) for s in truth["sites"] for p in s["fraud_pages"] if p["qr_images"]]
    site_truth, page = pages[0]
    site = small_farm.sites[site_truth["index"]]
    status, headers, body = fetch(site, page["qr_images"][0])
    assert status == 200 and headers["content-type"] == "image/png" and body.startswith(b"\x89PNG")


def test_request_log_in_process_and_on_the_control_port(served, small_farm):
    site = small_farm.sites[0]
    served.clear_requests()
    fetch(site, "/")
    fetch(site, "/no-such-page.html")
    rows = served.requests()
    assert [(r["site"], r["path"], r["status"]) for r in rows] == [
        (0, "/", 200),
        (0, "/no-such-page.html", 404),
    ]
    with urllib.request.urlopen(served.control_url + "requests?site=0", timeout=10) as response:
        remote = json.loads(response.read())["requests"]
    assert [r["path"] for r in remote] == ["/", "/no-such-page.html"]
    request = urllib.request.Request(served.control_url + "requests", method="DELETE")
    urllib.request.urlopen(request, timeout=10).close()
    assert served.requests() == []


def test_port_in_use_fails_clearly(served, small_farm):
    clash = farm.build_farm(3, seed=1, base_port=small_farm.base_port)
    with pytest.raises(farm.FarmPortError, match="already in use"), farm.running(clash):
        pass
