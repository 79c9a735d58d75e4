"""Forums: Discuz! X3 (GBK, the common engine of Chinese local forums) and phpBB (UTF-8).

Both share one plan: boards with paged thread lists, threads with paged posts, a pool of
users, and a few fraud posts: whole spam threads, or one spam reply inside a benign thread.
The URL schemes and the markup follow the real engines closely, since crawlers recognise
forums by exactly these (``div#postlist``, ``table[id^=pid]``, ``td.t_f``…).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from farm import content, html
from farm.html import EncodingPlan, esc, link
from farm.kinds.base import Kind, fraud_extras, fraud_text_for
from farm.model import FarmLike, PageSpec, Reply, SiteSpec

BOARD_NAMES = (
    "{city}杂谈",
    "情感天地",
    "美食分享",
    "二手交易",
    "房产家居",
    "求职招聘",
    "亲子育儿",
    "车友天地",
    "摄影爱好",
    "户外运动",
)
USER_NAMES = (
    "江南小雨",
    "老张",
    "快乐的鱼",
    "阿强",
    "云淡风轻",
    "桂花糕",
    "路人甲",
    "小城故事",
    "晴天",
    "大胖",
    "枫叶",
    "青青河边草",
    "骑车去远方",
    "老王家的猫",
    "南风",
    "一只小企鹅",
    "海阔天空",
    "木子李",
    "糖糖妈",
    "阿杰",
)
SPAMMER_NAMES = (
    "兼职客服888",
    "招聘专员",
    "财富导师",
    "信贷经理小刘",
    "收卡老板",
    "游戏商人",
    "高薪兼职",
    "理财顾问",
)
FRAUD_CATEGORIES = (
    "task_scam",
    "fake_loan",
    "card_trading",
    "money_laundering",
    "gambling",
    "game_trade_scam",
    "fake_investment",
    "romance_scam",
    "fake_shopping",
    "fake_credit_repair",
)


@dataclass(frozen=True, slots=True)
class Thread:
    tid: int
    fid: int
    posts: int
    first_pid: int
    spam: str | None  # category when the whole thread is a spam post
    fraud_floor: int | None  # 1-based floor of the spam post (1 for spam threads)
    fraud_category: str | None
    obfuscated: bool


def _users(site: SiteSpec) -> list[tuple[int, str]]:
    return site.memo("forum_users", lambda: _make_users(site))


def _make_users(site: SiteSpec) -> list[tuple[int, str]]:
    rng = site.rng("users")
    names = rng.sample(USER_NAMES, k=12)
    names = [n + (str(rng.randint(1, 2024)) if rng.random() < 0.4 else "") for n in names]
    return [(rng.randint(100, 99999), n) for n in names]


def _spammers(site: SiteSpec) -> list[tuple[int, str]]:
    return site.memo("forum_spammers", lambda: _make_spammers(site))


def _make_spammers(site: SiteSpec) -> list[tuple[int, str]]:
    rng = site.rng("spammers")
    return [(rng.randint(100000, 999999), n) for n in rng.sample(SPAMMER_NAMES, k=3)]


class ForumPlan:
    """Boards and threads of one forum, derived from the site's seed."""

    def __init__(self, site: SiteSpec, per_page: int, threads_per_board_page: int) -> None:
        rng = site.rng("forum")
        self.per_page = per_page
        self.list_size = threads_per_board_page
        fids = sorted(rng.sample((2, 36, 37, 41, 45, 52, 60, 71, 88, 93), k=rng.randint(3, 5)))
        names = rng.sample(BOARD_NAMES, k=len(fids))
        self.boards = [(fid, name.format(city=site.city)) for fid, name in zip(fids, names)]
        self.threads: dict[int, list[Thread]] = {}
        tid = rng.randint(1000, 60000)
        pid = tid * 7
        n_fraud = rng.randint(2, 5)
        all_threads: list[list] = []
        for fid, _ in self.boards:
            rows = []
            for _ in range(rng.randint(6, 30)):
                tid += rng.randint(1, 9)
                posts = 1 + min(int(rng.expovariate(1 / 9)), 45)
                rows.append([tid, fid, posts, pid, None, None, None, False])
                pid += posts + rng.randint(0, 5)
            all_threads.append(rows)
        flat = [row for rows in all_threads for row in rows]
        for row in rng.sample(flat, k=min(n_fraud, len(flat))):
            category = rng.choice(FRAUD_CATEGORIES)
            spam = row[2] == 1 or rng.random() < 0.4
            row[4] = category if spam else None
            row[5] = 1 if spam else rng.randint(2, row[2])
            row[6] = category
            row[7] = rng.random() < 0.4
        for (fid, _), rows in zip(self.boards, all_threads):
            # Newest first, as boards list them.
            self.threads[fid] = [Thread(*row) for row in reversed(rows)]
        self.by_tid = {t.tid: t for rows in self.threads.values() for t in rows}

    def pages_of(self, thread: Thread) -> int:
        return -(-thread.posts // self.per_page)

    def board_pages(self, fid: int) -> int:
        return max(1, -(-len(self.threads[fid]) // self.list_size))

    def thread(self, tid: int) -> Thread:
        return self.by_tid[tid]


def thread_title(site: SiteSpec, thread: Thread) -> str:
    return site.memo(f"thread_title:{thread.tid}", lambda: _thread_title(site, thread))


def _thread_title(site: SiteSpec, thread: Thread) -> str:
    if thread.spam:
        rng = site.rng("spamtitle", thread.tid)
        return content.fraud_text(rng, thread.spam, site.context, title_only=True).title
    return content.chatter_title(site.rng("title", thread.tid), site.context)


def post_author(site: SiteSpec, thread: Thread, floor: int) -> tuple[int, str]:
    if thread.fraud_floor == floor:
        return site.rng("spammer", thread.tid).choice(_spammers(site))
    return site.rng("author", thread.tid, floor).choice(_users(site))


def post_time(site: SiteSpec, thread: Thread, floor: int) -> str:
    rng = site.rng("time", thread.tid)
    month, day = rng.randint(1, 11), rng.randint(1, 28)
    hour = min(23, 8 + floor // 3)
    return f"2024-{month}-{day} {hour:02d}:{(floor * 7 + thread.tid) % 60:02d}"


def post_body(site: SiteSpec, page: PageSpec, thread: Thread, floor: int) -> tuple[list[str], str]:
    """(paragraphs, extra html) of one post."""
    if thread.fraud_floor == floor:
        text = fraud_text_for(site, page, short=True)
        return text.paragraphs, fraud_extras(site, page)[0]
    rng = site.rng("post", thread.tid, floor)
    if floor == 1:
        body = content.benign_text(
            rng, rng.choice(("chatter", "recipe", "event", "news")), site.context
        )
        return body.paragraphs[:3], ""
    return [content.chatter_post(rng, site.context)], ""


class ForumKind(Kind):
    has_fraud = True
    per_page = 10
    list_size = 20

    def forum(self, site: SiteSpec) -> ForumPlan:
        return site.memo("forum", lambda: ForumPlan(site, self.per_page, self.list_size))

    def thread_path(self, thread: Thread, page_no: int) -> str:
        raise NotImplementedError

    def thread_aliases(self, thread: Thread, page_no: int) -> tuple[str, ...]:
        return ()

    def board_path(self, fid: int, page_no: int) -> str:
        raise NotImplementedError

    def board_aliases(self, fid: int, page_no: int) -> tuple[str, ...]:
        return ()

    def plan(self, site: SiteSpec) -> list[PageSpec]:
        forum = self.forum(site)
        pages = [self.home_page(forum)]
        for fid, _ in forum.boards:
            threads = forum.threads[fid]
            total = forum.board_pages(fid)
            for p in range(1, total + 1):
                shown = threads[(p - 1) * forum.list_size : p * forum.list_size]
                pages.append(
                    PageSpec(
                        self.board_path(fid, p),
                        "board",
                        "list",
                        aliases=self.board_aliases(fid, p),
                        lists_fraud_titles=any(t.spam for t in shown),
                        params=(fid, p, total),
                    )
                )
        for fid, _ in forum.boards:
            for thread in forum.threads[fid]:
                n_pages = forum.pages_of(thread)
                for p in range(1, n_pages + 1):
                    first = (p - 1) * forum.per_page + 1
                    on_page = (
                        thread.fraud_floor is not None
                        and first <= thread.fraud_floor < first + forum.per_page
                    )
                    pages.append(
                        PageSpec(
                            self.thread_path(thread, p),
                            "thread",
                            thread.fraud_category if on_page else "chatter",
                            fraud=thread.fraud_category if on_page else None,
                            aliases=self.thread_aliases(thread, p),
                            obfuscated=thread.obfuscated and on_page,
                            fraud_post=(thread.fraud_floor - first) if on_page else None,
                            fraud_floor=thread.fraud_floor if on_page else None,
                            # later pages of a spam thread still show the scam as their title
                            lists_fraud_titles=bool(thread.spam) and not on_page,
                            params=(fid, thread.tid, p, n_pages),
                        )
                    )
        pages += self.extra_pages(site, forum)
        return pages

    def home_page(self, forum: ForumPlan) -> PageSpec:
        raise NotImplementedError

    def extra_pages(self, site: SiteSpec, forum: ForumPlan) -> list[PageSpec]:
        return []


# --- Discuz! ------------------------------------------------------------------------------

DISCUZ_ROBOTS = """#
# robots.txt for Discuz! X3
#

User-agent: *
Disallow: /api/
Disallow: /data/
Disallow: /source/
Disallow: /install/
Disallow: /template/
Disallow: /config/
Disallow: /uc_client/
Disallow: /uc_server/
Disallow: /static/
Disallow: /admin.php
Disallow: /search.php
Disallow: /member.php
Disallow: /api.php
Disallow: /misc.php
Disallow: /connect.php
Disallow: /forum.php?mod=redirect*
Disallow: /forum.php?mod=post*
Disallow: /home.php?mod=spacecp*
Disallow: /userapp.php?mod=app&*
Disallow: /*?mod=misc*
Disallow: /*?mod=attachment*
Disallow: /*mobile=yes*
"""


class DiscuzForum(ForumKind):
    name = "discuz_forum"
    description = (
        "Discuz! X3 forum in GBK: forum-F-P.html boards, thread-T-P-1.html threads with post "
        "paging, forum.php?mod=… aliases, spam threads and spam replies among benign posts"
    )
    encoding = "gbk"

    def robots(self, site: SiteSpec) -> str | None:
        return DISCUZ_ROBOTS

    def encoding_plan(self, site: SiteSpec, page: PageSpec) -> EncodingPlan:
        return html.GBK

    def thread_path(self, thread: Thread, page_no: int) -> str:
        return f"/thread-{thread.tid}-{page_no}-1.html"

    def thread_aliases(self, thread: Thread, page_no: int) -> tuple[str, ...]:
        aliases = [f"/forum.php?mod=viewthread&tid={thread.tid}&page={page_no}"]
        if page_no == 1:
            aliases.append(f"/forum.php?mod=viewthread&tid={thread.tid}")
        return tuple(aliases)

    def board_path(self, fid: int, page_no: int) -> str:
        return f"/forum-{fid}-{page_no}.html"

    def board_aliases(self, fid: int, page_no: int) -> tuple[str, ...]:
        aliases = [f"/forum.php?mod=forumdisplay&fid={fid}&page={page_no}"]
        if page_no == 1:
            aliases.append(f"/forum.php?mod=forumdisplay&fid={fid}")
        return tuple(aliases)

    def home_page(self, forum: ForumPlan) -> PageSpec:
        return PageSpec("/", "home", "home", aliases=("/forum.php", "/index.php"))

    def extra_pages(self, site: SiteSpec, forum: ForumPlan) -> list[PageSpec]:
        pages = [PageSpec("/archiver/", "archiver", "list")]
        pages.append(
            PageSpec("/member.php?mod=register", "member", "member", robots_disallowed=True)
        )
        pages.append(
            PageSpec(
                "/member.php?mod=logging&action=login", "member", "member", robots_disallowed=True
            )
        )
        for fid, _ in forum.boards:
            pages.append(
                PageSpec(
                    f"/forum.php?mod=post&action=newthread&fid={fid}",
                    "member",
                    "member",
                    robots_disallowed=True,
                )
            )
        for uid, _ in _users(site) + _spammers(site):
            pages.append(
                PageSpec(
                    f"/space-uid-{uid}.html",
                    "profile",
                    "profile",
                    aliases=(f"/home.php?mod=space&uid={uid}",),
                )
            )
        return pages

    # rendering
    def render(self, site: SiteSpec, farm: FarmLike, page: PageSpec) -> Reply:
        forum = self.forum(site)
        boards = dict(forum.boards)
        crumbs = ""
        if page.role == "home":
            title, main = "首页", self.home_main(site, forum)
        elif page.role == "board":
            fid, number, total = page.params
            title = boards[fid]
            crumbs = link(self.board_path(fid, 1), title)
            main = self.board_main(site, forum, fid, number, total)
        elif page.role == "thread":
            fid, tid, number, total = page.params
            thread = forum.thread(tid)
            title = thread_title(site, thread)
            crumbs = (
                link(self.board_path(fid, 1), boards[fid])
                + " <em>&rsaquo;</em> "
                + link(self.thread_path(thread, 1), title)
            )
            main = self.thread_main(site, page, forum, thread, number, total)
        elif page.role == "archiver":
            title = "Archiver"
            main = (
                "<ul>"
                + "".join(f"<li>{link(f'/forum-{fid}-1.html', n)}</li>" for fid, n in forum.boards)
                + "</ul>"
            )
        elif page.role == "profile":
            uid = int(page.path.split("-")[-1].split(".")[0])
            name = dict(_users(site) + _spammers(site)).get(uid, "用户")
            title = f"{name}的个人资料"
            main = (
                f'<div id="uhd"><h2 class="mt">{esc(name)}</h2><p>UID: {uid}</p>'
                f'<ul class="pf_l"><li><em>用户组</em>新手上路</li><li><em>积分</em>{uid % 97}</li></ul></div>'
            )
        else:
            title = "提示信息"
            main = (
                '<div id="messagetext" class="alert_info"><p>您需要先登录才能继续本操作</p></div>'
            )
        nav = "".join(f"<li>{link(self.board_path(fid, 1), n)}</li>" for fid, n in forum.boards)
        markup = html.template("discuz.html").substitute(
            meta=html.meta_tag(html.GBK, xhtml=True),
            title=esc(title),
            site_name=esc(site.name),
            keywords=esc(title),
            description=esc(f"{title},{site.name}"),
            variant=site.variant % 10,
            charset_js="gbk",
            body_class="pg_" + page.role,
            nav=f'<li class="a"><a href="forum.php">论坛</a></li>{nav}',
            crumbs=crumbs,
            main=main,
            icp=esc(site.icp),
            today=html.today(site),
            friends=html.friend_links(site, farm.sites),
            bulk=html.inline_bulk(site),
        )
        return html.encode_page(markup, html.GBK)

    def home_main(self, site: SiteSpec, forum: ForumPlan) -> str:
        rows = []
        for fid, name in forum.boards:
            threads = forum.threads[fid]
            latest = threads[0]
            rows.append(
                f'<tr><td class="fl_icn"><a href="forum-{fid}-1.html"><img src="static/image/common/forum.gif" alt="{esc(name)}" /></a></td>'
                f'<td><h2><a href="forum-{fid}-1.html">{esc(name)}</a></h2></td>'
                f'<td class="fl_i"><span class="xi2">{len(threads)}</span><span class="xg1"> / {sum(t.posts for t in threads)}</span></td>'
                f'<td class="fl_by"><div><a href="forum.php?mod=redirect&amp;tid={latest.tid}&amp;goto=lastpost#lastpost" class="xi2">最后发表</a></div></td></tr>'
            )
        hot = [t for fid, _ in forum.boards for t in forum.threads[fid][:3]]
        hot_links = "".join(
            f'<li><a href="forum.php?mod=viewthread&amp;tid={t.tid}&amp;extra=page%3D1" title="{esc(thread_title(site, t))}">'
            f"{esc(thread_title(site, t))}</a></li>"
            for t in hot
        )
        return (
            f'<div class="fl bm"><div class="bm bmw flg cl"><div class="bm_h cl"><h2>{esc(site.name)}</h2></div>'
            f'<div id="category_1" class="bm_c"><table cellspacing="0" cellpadding="0" class="fl_tb">{"".join(rows)}</table></div></div></div>'
            f'<div class="bm"><div class="bm_h"><h2>最新帖子</h2></div><ul class="xl xl1">{hot_links}</ul></div>'
        )

    def board_main(self, site, forum, fid, number, total) -> str:
        threads = forum.threads[fid][(number - 1) * forum.list_size : number * forum.list_size]
        rows = []
        for t in threads:
            uid, author = post_author(site, t, 1)
            title = thread_title(site, t)
            pages_link = ""
            if forum.pages_of(t) > 1:
                pages_link = (
                    '<span class="tps">&nbsp;...'
                    + "".join(
                        f'<a href="thread-{t.tid}-{p}-1.html">{p}</a>'
                        for p in range(2, forum.pages_of(t) + 1)
                    )
                    + "</span>"
                )
            rows.append(
                f'<tbody id="normalthread_{t.tid}"><tr><td class="icn"><a href="thread-{t.tid}-1-1.html" title="新窗口打开" target="_blank"><img src="static/image/common/folder_common.gif" /></a></td>'
                f'<th class="common"><a href="thread-{t.tid}-1-1.html" onclick="atarget(this)" class="s xst">{esc(title)}</a>{pages_link}</th>'
                f'<td class="by"><cite><a href="space-uid-{uid}.html" c="1">{esc(author)}</a></cite><em><span>{post_time(site, t, 1).split()[0]}</span></em></td>'
                f'<td class="num"><a href="thread-{t.tid}-1-1.html" class="xi2">{t.posts - 1}</a><em>{t.posts * 37 % 900 + 20}</em></td></tr></tbody>'
            )
        pager = self.pager(lambda p: f"forum-{fid}-{p}.html", number, total)
        return (
            f'<div id="pgt" class="bm bw0 pgs cl">{pager}<a href="forum.php?mod=post&amp;action=newthread&amp;fid={fid}" id="newspecial" title="发新帖">发帖</a></div>'
            f'<div id="threadlist" class="tl bm bmw"><div class="bm_c"><form method="post" name="moderate" id="moderate">'
            f'<table summary="forum_{fid}" cellspacing="0" cellpadding="0" id="threadlisttableid">{"".join(rows)}</table></form></div></div>'
            f'<div class="bm bw0 pgs cl">{pager}</div>'
        )

    @staticmethod
    def pager(href, number: int, total: int) -> str:
        if total <= 1:
            return ""
        parts = ['<div class="pg">']
        if number > 1:
            parts.append(f'<a href="{href(number - 1)}" class="prev">&nbsp;&nbsp;</a>')
        for p in range(1, total + 1):
            parts.append(f"<strong>{p}</strong>" if p == number else f'<a href="{href(p)}">{p}</a>')
        parts.append(
            f'<label><input type="text" name="custompage" class="px" size="2" value="{number}" /><span title="共 {total} 页"> / {total} 页</span></label>'
        )
        if number < total:
            parts.append(f'<a href="{href(number + 1)}" class="nxt">下一页</a>')
        parts.append("</div>")
        return "".join(parts)

    def thread_main(self, site, page, forum, thread: Thread, number: int, total: int) -> str:
        title = thread_title(site, thread)
        first = (number - 1) * forum.per_page + 1
        last = min(thread.posts, first + forum.per_page - 1)
        posts = []
        for floor in range(first, last + 1):
            pid = thread.first_pid + floor - 1
            uid, author = post_author(site, thread, floor)
            paragraphs, extra = post_body(site, page, thread, floor)
            message = "<br />\r\n".join(esc(p) for p in paragraphs) + extra
            floor_label = "楼主" if floor == 1 else f"<em>{floor}</em><sup>#</sup>"
            posts.append(
                f'<div id="post_{pid}"><table id="pid{pid}" class="plhin" summary="pid{pid}" cellspacing="0" cellpadding="0"><tr>'
                f'<td class="pls" rowspan="2"><div id="favatar{pid}" class="pls favatar"><div class="pi"><div class="authi">'
                f'<a href="space-uid-{uid}.html" target="_blank" class="xw1">{esc(author)}</a></div></div>'
                f'<div><div class="avatar"><a href="space-uid-{uid}.html" class="avtm" target="_blank"><img src="uc_server/avatar.php?uid={uid}&amp;size=middle" /></a></div></div></div></td>'
                f'<td class="plc"><div class="pi"><strong><a href="forum.php?mod=redirect&amp;goto=findpost&amp;ptid={thread.tid}&amp;pid={pid}" id="postnum{pid}">{floor_label}</a></strong>'
                f'<div class="pti"><div class="authi"><img class="authicn vm" src="static/image/common/online_member.gif" />'
                f'<em id="authorposton{pid}">发表于 {post_time(site, thread, floor)}</em>'
                f'<span class="pipe">|</span><a href="thread-{thread.tid}-1-1.html" rel="nofollow">只看该作者</a></div></div></div>'
                f'<div class="pct"><div class="pcb"><div class="t_fsz"><table cellspacing="0" cellpadding="0"><tr>'
                f'<td class="t_f" id="postmessage_{pid}">\r\n{message}</td></tr></table></div></div></div></td></tr>'
                f'<tr><td class="plc plm"></td></tr></table></div>'
            )
        pager = self.pager(lambda p: f"thread-{thread.tid}-{p}-1.html", number, total)
        return (
            f'<div id="pgt" class="pgs mbm cl">{pager}</div>'
            f'<div id="postlist" class="pl bm"><table cellspacing="0" cellpadding="0"><tr>'
            f'<td class="pls ptn pbn"><div class="hm ptn"><span class="xg1">查看:</span> <span class="xi1">{thread.posts * 53 % 3000 + 40}</span>'
            f'<span class="pipe">|</span><span class="xg1">回复:</span> <span class="xi1">{thread.posts - 1}</span></div></td>'
            f'<td class="plc ptm pbn vwthd"><h1 class="ts"><span id="thread_subject">{esc(title)}</span></h1></td></tr></table>'
            + "".join(posts)
            + f'</div><div class="pgs mtm mbm cl">{pager}</div>'
        )


# --- phpBB --------------------------------------------------------------------------------

PHPBB_ROBOTS = """User-agent: *
Disallow: /ucp.php
Disallow: /search.php
Disallow: /memberlist.php
Disallow: /posting.php
"""


class PhpbbForum(ForumKind):
    name = "phpbb_forum"
    description = (
        "phpBB forum in UTF-8: viewforum.php?f=…&start=…, viewtopic.php?t=…&start=…, session "
        "ids (sid=) in links on some sites"
    )
    list_size = 25

    def robots(self, site: SiteSpec) -> str | None:
        return PHPBB_ROBOTS

    def sid(self, site: SiteSpec) -> str:
        # phpBB appends the session id to links for visitors without cookies.
        if site.variant % 2:
            return hashlib.md5(site.seed.encode()).hexdigest()
        return ""

    def thread_path(self, thread: Thread, page_no: int) -> str:
        start = (page_no - 1) * self.per_page
        return f"/viewtopic.php?t={thread.tid}" + (f"&start={start}" if start else "")

    def thread_aliases(self, thread: Thread, page_no: int) -> tuple[str, ...]:
        start = (page_no - 1) * self.per_page
        aliases = [f"/viewtopic.php?f={thread.fid}&t={thread.tid}&start={start}"]
        if not start:
            aliases.append(f"/viewtopic.php?t={thread.tid}&start=0")
            aliases.append(f"/viewtopic.php?f={thread.fid}&t={thread.tid}")
        return tuple(aliases)

    def board_path(self, fid: int, page_no: int) -> str:
        start = (page_no - 1) * self.list_size
        return f"/viewforum.php?f={fid}" + (f"&start={start}" if start else "")

    def board_aliases(self, fid: int, page_no: int) -> tuple[str, ...]:
        return (f"/viewforum.php?f={fid}&start=0",) if page_no == 1 else ()

    def home_page(self, forum: ForumPlan) -> PageSpec:
        return PageSpec("/index.php", "home", "home", aliases=("/",))

    def extra_pages(self, site: SiteSpec, forum: ForumPlan) -> list[PageSpec]:
        pages = [
            PageSpec("/faq.php", "faq", "faq"),
            PageSpec("/ucp.php?mode=register", "member", "member", robots_disallowed=True),
            PageSpec("/ucp.php?mode=login", "member", "member", robots_disallowed=True),
            PageSpec("/search.php", "member", "member", robots_disallowed=True),
        ]
        for uid, _ in _users(site) + _spammers(site):
            pages.append(
                PageSpec(
                    f"/memberlist.php?mode=viewprofile&u={uid}",
                    "profile",
                    "profile",
                    robots_disallowed=True,
                )
            )
        return pages

    def href(self, site: SiteSpec, path: str) -> str:
        sid = self.sid(site)
        if not sid:
            return "." + path
        return "." + path + ("&" if "?" in path else "?") + f"sid={sid}"

    def render(self, site: SiteSpec, farm: FarmLike, page: PageSpec) -> Reply:
        forum = self.forum(site)
        boards = dict(forum.boards)
        crumbs = ""
        if page.role == "home":
            title = "首页"
            rows = "".join(
                f'<li class="row"><dl class="row-item forum_read"><dt><div class="list-inner">'
                f'<a href="{esc(self.href(site, self.board_path(fid, 1)))}" class="forumtitle">{esc(name)}</a><br />{esc(name)}版块讨论区</div></dt>'
                f'<dd class="topics">{len(forum.threads[fid])} <dfn>主题</dfn></dd></dl></li>'
                for fid, name in forum.boards
            )
            main = f'<div class="forabg"><div class="inner"><ul class="topiclist forums">{rows}</ul></div></div>'
        elif page.role == "board":
            fid, number, total = page.params
            title = boards[fid]
            crumbs = self.crumb(site, self.board_path(fid, 1), title)
            shown = forum.threads[fid][(number - 1) * forum.list_size : number * forum.list_size]
            rows = []
            for t in shown:
                uid, author = post_author(site, t, 1)
                rows.append(
                    f'<li class="row bg{1 + t.tid % 2}"><dl class="row-item topic_read"><dt><div class="list-inner">'
                    f'<a href="{esc(self.href(site, self.thread_path(t, 1)))}" class="topictitle">{esc(thread_title(site, t))}</a><br />'
                    f'<div class="topic-poster">由 <a href="{esc(self.href(site, f"/memberlist.php?mode=viewprofile&u={uid}"))}" class="username">{esc(author)}</a> » {post_time(site, t, 1)}</div></div></dt>'
                    f'<dd class="posts">{t.posts - 1} <dfn>回复</dfn></dd></dl></li>'
                )
            main = (
                f'<h2 class="forum-title">{esc(title)}</h2>{self.pagination(site, lambda p: self.board_path(fid, p), number, total)}'
                f'<div class="forumbg"><div class="inner"><ul class="topiclist topics">{"".join(rows)}</ul></div></div>'
            )
        elif page.role == "thread":
            fid, tid, number, total = page.params
            thread = forum.thread(tid)
            title = thread_title(site, thread)
            crumbs = self.crumb(site, self.board_path(fid, 1), boards[fid])
            main = self.topic_main(site, page, forum, thread, number, total)
        elif page.role == "profile":
            title = "查看个人资料"
            main = '<div class="panel"><p>您必须注册并登录才能查看成员资料。</p></div>'
        elif page.role == "faq":
            title = "常见问题"
            main = '<div class="panel"><h2>常见问题</h2><p>注册后即可发帖。请遵守版规，文明发言。</p></div>'
        else:
            title = "登录"
            main = '<div class="panel"><p>您必须登录后才能访问此页面。</p></div>'
        sid = self.sid(site)
        markup = html.template("phpbb.html").substitute(
            meta='<meta charset="utf-8" />',
            title=esc(title),
            site_name=esc(site.name),
            description=esc(title),
            variant=site.variant % 10,
            body_class=page.role,
            sid=f"?sid={sid}" if sid else "",
            sidamp=f"&amp;sid={sid}" if sid else "",
            city=esc(site.city),
            crumbs=crumbs,
            main=main,
            icp=esc(site.icp),
            friends=html.friend_links(site, farm.sites),
        )
        return html.encode_page(markup, html.UTF8)

    def crumb(self, site, path, label) -> str:
        return f'<span class="crumb"><a href="{esc(self.href(site, path))}">{esc(label)}</a></span>'

    def pagination(self, site, path_of, number: int, total: int) -> str:
        if total <= 1:
            return ""
        items = []
        for p in range(1, total + 1):
            if p == number:
                items.append(f'<li class="active"><span>{p}</span></li>')
            else:
                items.append(
                    f'<li><a class="button" href="{esc(self.href(site, path_of(p)))}" role="button">{p}</a></li>'
                )
        if number < total:
            items.append(
                f'<li class="arrow next"><a class="button button-icon-only" href="{esc(self.href(site, path_of(number + 1)))}" rel="next" role="button">下一页</a></li>'
            )
        return (
            f'<div class="pagination">第 {number} 页 / 共 {total} 页<ul>{"".join(items)}</ul></div>'
        )

    def topic_main(self, site, page, forum, thread: Thread, number: int, total: int) -> str:
        first = (number - 1) * forum.per_page + 1
        last = min(thread.posts, first + forum.per_page - 1)
        title = thread_title(site, thread)
        posts = []
        for floor in range(first, last + 1):
            pid = thread.first_pid + floor - 1
            uid, author = post_author(site, thread, floor)
            paragraphs, extra = post_body(site, page, thread, floor)
            subject = title if floor == 1 else f"Re: {title}"
            profile = esc(self.href(site, f"/memberlist.php?mode=viewprofile&u={uid}"))
            posts.append(
                f'<div id="p{pid}" class="post has-profile bg{1 + floor % 2}"><div class="inner">'
                f'<dl class="postprofile" id="profile{pid}"><dt><a href="{profile}" class="username">{esc(author)}</a></dt></dl>'
                f'<div class="postbody"><div id="post_content{pid}"><h3><a href="#p{pid}">{esc(subject)}</a></h3>'
                f'<p class="author"><a class="unread" href="#p{pid}" title="帖子"></a><span class="responsive-hide">由 <strong>'
                f'<a href="{profile}" class="username">{esc(author)}</a></strong> » </span><time datetime="{post_time(site, thread, floor).replace(" ", "T")}:00+08:00">{post_time(site, thread, floor)}</time></p>'
                f'<div class="content">{"<br>".join(esc(p) for p in paragraphs)}{extra}</div></div></div></div></div>'
                '<hr class="divider" />'
            )
        pager = self.pagination(site, lambda p: self.thread_path(thread, p), number, total)
        return (
            f'<h2 class="topic-title"><a href="{esc(self.href(site, self.thread_path(thread, 1)))}">{esc(title)}</a></h2>{pager}'
            + "".join(posts)
            + pager
        )
