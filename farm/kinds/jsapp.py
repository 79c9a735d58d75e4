"""JavaScript-rendered site: the raw HTML holds only a script that builds the page from an
encoded JSON blob (base64, char codes, or fetched from an API), so no text and no links exist
before rendering. Some pages are fraud that only a browser can see.
"""

from __future__ import annotations

import base64
import hashlib
import json

from farm import content, html
from farm.html import esc
from farm.kinds.base import Kind, fraud_extras, fraud_text_for, page_title
from farm.model import FarmLike, PageSpec, Reply, SiteSpec

_DECODE = """function dec(b){var s=atob(b),u=new Uint8Array(s.length);for(var i=0;i<s.length;i++)u[i]=s.charCodeAt(i);return JSON.parse(new TextDecoder('utf-8').decode(u));}"""
_SHOW = """function show(d){var app=document.getElementById('app');app.innerHTML='';
var nav=document.createElement('div');nav.className='nav';d.nav.forEach(function(n){var a=document.createElement('a');a.href=n[0];a.textContent=n[1];nav.appendChild(a);});app.appendChild(nav);
var h=document.createElement('h1');h.textContent=d.title;app.appendChild(h);document.title=d.title+' - '+d.site;
var main=document.createElement('div');main.className='content';d.paras.forEach(function(p){var e=document.createElement('p');e.textContent=p;main.appendChild(e);});app.appendChild(main);
if(d.qr){var i=document.createElement('img');i.src=d.qr;i.alt='扫码加群';main.appendChild(i);}
if(d.apk){var k=document.createElement('a');k.href=d.apk;k.textContent='下载APP';main.appendChild(k);}
if(d.links.length){var ul=document.createElement('ul');ul.className='list';d.links.forEach(function(l){var li=document.createElement('li'),a=document.createElement('a');a.href=l[0];a.textContent=l[1];li.appendChild(a);ul.appendChild(li);});app.appendChild(ul);}
var f=document.createElement('div');f.className='footer';f.textContent=d.footer;app.appendChild(f);}"""


def _variant(path: str) -> str:
    return ("b64", "codes", "fetch")[int(hashlib.md5(path.encode()).hexdigest()[:6], 16) % 3]


class JsApp(Kind):
    name = "js_app"
    description = (
        "script-only pages built from base64 / char-code / fetched JSON: no text or links "
        "without rendering; some fraud visible only rendered; one site not flagged in the registry"
    )
    has_fraud = True
    needs_js = True

    def plan(self, site: SiteSpec) -> list[PageSpec]:
        rng = site.rng("plan")
        pages = [
            PageSpec(
                "/",
                "app_home",
                "home",
                js_only=True,
                lists_fraud_titles=True,
                aliases=("/index.html",),
            )
        ]
        item = rng.randint(100, 900)
        n = rng.randint(6, 14)
        fraud_at = set(rng.sample(range(n), k=rng.randint(1, 3)))
        for i in range(n):
            item += rng.randint(1, 20)
            path = f"/p/{item}"
            if i in fraud_at:
                category = rng.choice(
                    ("fake_investment", "task_scam", "gambling", "fake_loan", "money_laundering")
                )
                pages.append(
                    PageSpec(
                        path,
                        "app",
                        category,
                        fraud=category,
                        js_only=True,
                        obfuscated=rng.random() < 0.3,
                    )
                )
            else:
                pages.append(
                    PageSpec(path, "app", rng.choice(("news", "event", "notice")), js_only=True)
                )
        return pages

    def truth_extra(self, site: SiteSpec) -> dict:
        return {"data_encoding": {p.path: _variant(p.path) for p in site.pages}}

    def data(self, site: SiteSpec, farm: FarmLike, page: PageSpec) -> dict:
        items = [p for p in site.pages if p.role == "app"]
        nav = [["/", "首页"]] + [[p.path, f"栏目{i + 1}"] for i, p in enumerate(items[:4])]
        data = {
            "site": site.name,
            "nav": nav,
            "links": [],
            "qr": None,
            "apk": None,
            "footer": f"{site.name} 版权所有 {site.icp}",
        }
        if page.role == "app_home":
            data["title"] = "首页"
            data["paras"] = [f"欢迎访问{site.name}，这里汇集{site.city}本地资讯与便民服务。"]
            data["links"] = [[p.path, page_title(site, p)] for p in items]
        else:
            text = self.text(site, page)
            data["title"], data["paras"] = text.title, text.paragraphs
            if page.fraud:
                _, apks, qrs = fraud_extras(site, page)
                data["qr"] = qrs[0] if qrs else None
                data["apk"] = apks[0] if apks else None
            data["links"] = [[p.path, page_title(site, p)] for p in items if p is not page][:5]
        return data

    def text(self, site: SiteSpec, page: PageSpec) -> content.Text:
        if page.fraud:
            return fraud_text_for(site, page)
        return content.benign_text(site.rng("text", page.path), page.topic, site.context)

    def render(self, site: SiteSpec, farm: FarmLike, page: PageSpec) -> Reply:
        data = self.data(site, farm, page)
        raw = json.dumps(data, ensure_ascii=False)
        blob = base64.b64encode(raw.encode("utf-8")).decode("ascii")
        variant = _variant(page.path)
        if variant == "b64":
            call = f'show(dec("{blob}"));'
        elif variant == "codes":
            units = raw.encode("utf-16-le")
            codes = ",".join(
                str(int.from_bytes(units[i : i + 2], "little")) for i in range(0, len(units), 2)
            )
            call = f"show(JSON.parse(String.fromCharCode.apply(null,[{codes}])));"
        else:
            api = (
                "/api/p/"
                + (page.path.rsplit("/", 1)[-1] if page.role == "app" else "home")
                + ".json"
            )
            call = (
                f"fetch('{api}').then(function(r){{return r.json();}})"
                ".then(function(j){show(dec(j.d));});"
            )
        probe = ""
        if farm.options.private_subrequests and page.role == "app_home":
            # Lets crawler tests check that the browser's sub-requests go through the SSRF guard.
            probe = "new Image().src='http://169.254.169.254/latest/meta-data/';"
        script = "(function(){" + _DECODE + _SHOW + call + probe + "})();"
        markup = html.template("jsapp.html").substitute(site_name=esc(site.name), script=script)
        return html.encode_page(markup, html.UTF8)

    def dynamic(self, site: SiteSpec, farm: FarmLike, request) -> Reply | None:
        # The JSON API behind the "fetch" pages: /api/p/<id>.json and /api/p/home.json
        if request.path.startswith("/api/p/") and request.path.endswith(".json"):
            name = request.path[len("/api/p/") : -len(".json")]
            page = site.page("/" if name == "home" else f"/p/{name}")
            if page is None:
                return None
            raw = json.dumps(self.data(site, farm, page), ensure_ascii=False).encode("utf-8")
            body = json.dumps({"d": base64.b64encode(raw).decode("ascii")}).encode()
            return Reply(200, {"Content-Type": "application/json"}, body)
        return None
