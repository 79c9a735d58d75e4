"""`wuzha review …`: record reviewers' decisions on sites and hits."""

from __future__ import annotations

import click

from ground.clock import office_text, office_zone
from ground.errors import WuzhaError
from ground.settings import get_settings
from indexer.errors import (
    BadQuery,
    EmptyQuery,
    HitNotFound,
    NoMatchingHits,
    QueryNotParsed,
    QueryTooBroad,
    ReviewerInvalid,
    ReviewerMissing,
    SiteHasNoVerdict,
    SiteNotNamed,
    UnknownStatus,
    UnknownVerdictKind,
    UnknownVerdictStatus,
)
from indexer.review_states import STATUSES, TRANSITIONS
from sitecheck.verdict import KINDS
from wuzha.cli._connect import elasticsearch
from wuzha.cli.errors import UsageError, said_with_flags


def target_sentence(err: WuzhaError) -> str | None:
    """A site or hit that cannot be found, said with --site and --query (`rescan` too)."""
    match err:
        case SiteNotNamed():
            return "--site needs a value: the registry URL, host[:port] or name of a site."
        case HitNotFound():
            return (
                f"No hit with id {err.hit_id!r}. Copy the id (_id) from Kibana's hits view, or "
                "use --query to select hits."
            )
    return None


def mark_sentence(err: WuzhaError) -> str | None:
    """A decision that cannot be made as asked, said with the flags of `review mark`."""
    match err:
        case ReviewerMissing():
            return (
                "Say who decides: --by NAME (the reviewer's name or id is recorded with the "
                "decision)."
            )
        case ReviewerInvalid():
            return f"--by must be a plain name of at most {err.limit} characters."
        case UnknownStatus():
            hint = " (takedown states belong to sites: use --site)" if err.site_only else ""
            return (
                f"Unknown {err.target_type} status {err.status!r}{hint}; use one of: "
                f"{', '.join(err.known)}."
            )
        case EmptyQuery():
            return "--query is empty: e.g. --query 'site.domain:example.com and scan.level:high'"
        case BadQuery():
            return f"--query: {err.problem}"
        case QueryNotParsed():
            return f"Elasticsearch cannot parse --query {err.query!r}: {err.reason}"
        case NoMatchingHits():
            return f"No hits match --query {err.query!r}."
        case UnknownVerdictKind():
            return f"Unknown --verdict {err.kind!r}; use one of: {', '.join(err.known)}."
        case UnknownVerdictStatus():
            return (
                f"With --verdict, --status is {' or '.join(err.known)} (not {err.status!r}); "
                "takedown states belong to the site: mark it without --verdict."
            )
        case SiteHasNoVerdict():
            has = f"its verdicts are {', '.join(err.kinds)}" if err.kinds else "it has none"
            return (
                f"{err.label} has no {err.kind!r} verdict to decide on ({has}); check the "
                "kind, or wait for a sweep to find one."
            )
        case QueryTooBroad():
            return (
                f"--query {err.query!r} selects {err.total} hits, more than --limit {err.limit}: "
                "narrow the query or raise --limit."
            )
    return None


def _lifecycle() -> str:
    lines = []
    for target, table in TRANSITIONS.items():
        for src, dsts in table.items():
            lines.append(f"  {target:4} {src:18} -> {', '.join(s for s in STATUSES if s in dsts)}")
    return "\n".join(lines)


@click.group()
def review() -> None:
    """Reviewers' decisions on sites and hits (kept in Elasticsearch, with a history)."""


@review.command(
    epilog="\b\nAllowed changes (a crawl may only raise taken_down -> recurred by itself):\n"
    + _lifecycle()
)
@click.option("--site", "site", metavar="SITE", help="Registry URL, host[:port] or name of a site.")
@click.option("--hit", "hit_id", metavar="ID", help="Id of one hit (its _id in Kibana).")
@click.option(
    "--query",
    metavar="KQL",
    help="Hits selected by a KQL-like query, e.g. 'site.domain:x.cn and scan.level:high'. "
    'Supported: field:value, field:"phrase", field:(a or b), and/or/not, parentheses, '
    "wildcards (not leading), ranges field >= value (numbers, dates, now-7d).",
)
@click.option(
    "--verdict",
    metavar="KIND",
    help="With --site: decide on the site's verdict of this kind ("
    + ", ".join(KINDS)
    + ") instead of the site; --status confirmed or false_positive (the verdict is then "
    "confirmed or dismissed; a recrawl keeps the decision).",
)
@click.option("--status", required=True, type=click.Choice(STATUSES), help="The new status.")
@click.option("--by", "by", help="Who decides (recorded with the decision). Required.")
@click.option("--note", help="Why (shown in Kibana, the export and the review log).")
@click.option("--limit", default=5000, show_default=True, help="Most hits --query may change.")
def mark(site, hit_id, query, verdict, status, by, note, limit) -> None:
    """Set the review status of a site, a hit, or the hits a query selects; or decide on one
    of a site's verdicts (--site S --verdict KIND)."""
    from indexer import review as rv

    chosen = [
        name for name, value in (("--site", site), ("--hit", hit_id), ("--query", query)) if value
    ]
    if len(chosen) != 1:
        raise UsageError("Say what to mark: exactly one of --site, --hit or --query.")
    if verdict is not None:
        if not site:
            raise UsageError("--verdict goes with --site: a verdict belongs to a site.")
        _mark_verdict(site, verdict, status, by, note)
        return
    with said_with_flags(mark_sentence, target_sentence):
        rv.check_reviewer(by)  # before connecting: a missing name is the commonest slip
        settings = get_settings()
        with elasticsearch(settings) as client:
            if site:
                result = rv.mark_site(client, settings, site, status, by, note)
            elif hit_id:
                result = rv.mark_hit(client, settings, hit_id, status, by, note)
            else:
                result = rv.mark_query(client, settings, query, status, by, note, limit=limit)
                click.echo(f"{result.matched} hit(s) matched the query.")
    for change in result.changed[:20]:
        replaced = (
            f", replacing {change.replaced_by}'s decision made at {change.replaced_at} "
            "while this command ran"
            if change.replaced_meanwhile
            else ""
        )
        click.echo(
            f"{change.label}: {change.previous} -> {change.status} (by {change.by}{replaced})"
        )
    if len(result.changed) > 20:
        click.echo(f"… and {len(result.changed) - 20} more")
    if result.refused:
        from indexer.review_states import describe_allowed

        for src in sorted(result.refused):
            click.echo(
                f"left alone: {result.refused[src]} hit(s) that are {src!r} "
                f"({describe_allowed('hit', src)})"
            )
    click.secho(result.summary(status) + ".", fg="green" if result.changed else None)


def _mark_verdict(site: str, kind: str, status: str, by: str | None, note: str | None) -> None:
    from indexer import review as rv
    from indexer.verdict_review import check_verdict, mark_verdict
    from indexer.verdict_states import STATE_NAMES_ZH

    with said_with_flags(mark_sentence, target_sentence):
        rv.check_reviewer(by)
        check_verdict(kind, status)  # before connecting, as the reviewer's name is
        settings = get_settings()
        with elasticsearch(settings) as client:
            change = mark_verdict(client, settings, site, kind, status, by, note)
    if change is None:
        click.echo(f"The {kind} verdict of that site is already {status}; nothing changed.")
        return
    replaced = (
        f", replacing {change.replaced_by}'s decision made at {change.replaced_at} "
        "while this command ran"
        if change.replaced_by
        else ""
    )
    click.secho(
        f"{change.label}: verdict {kind} {change.previous} -> {change.status} "
        f"(by {change.by}{replaced}); it is now {change.state} ({STATE_NAMES_ZH[change.state]}).",
        fg="green",
    )


@review.command()
@click.option("--site", "site", metavar="SITE", help="Registry URL, host[:port] or name.")
@click.option("--hit", "hit_id", metavar="ID", help="Id of one hit.")
@click.option("--verdict", metavar="KIND", help="With --site: the decisions on that verdict.")
def history(site, hit_id, verdict) -> None:
    """Show the review history of a site, one of its verdicts, or a hit, oldest first."""
    from indexer.review_log import history as review_history
    from indexer.review_targets import resolve_hit, resolve_site
    from indexer.site_verdicts import stored_verdicts
    from indexer.verdict_review import LOG_TARGET_TYPE, check_verdict

    if bool(site) == bool(hit_id):
        raise UsageError("Give exactly one of --site or --hit.")
    if verdict is not None and not site:
        raise UsageError("--verdict goes with --site: a verdict belongs to a site.")
    settings = get_settings()
    with said_with_flags(mark_sentence, target_sentence):
        if verdict is not None:
            check_verdict(verdict, "confirmed")
        with elasticsearch(settings) as client:
            if site:
                target = resolve_site(client, settings, site)
            else:
                target = resolve_hit(client, settings, hit_id)
            if verdict is None:
                entries = review_history(client, settings, target.type, target.id)
                now = target.status
            else:
                log_id = f"{target.id}/{verdict}"
                entries = review_history(client, settings, LOG_TARGET_TYPE, log_id)  # type: ignore[arg-type]
                now = (stored_verdicts(target.source).get(verdict) or {}).get("state") or "none"
    zone = office_zone(settings.report_timezone)
    what = f"{target.label}, verdict {verdict}" if verdict else target.label
    click.echo(f"{what}: now {now!r} (times in {zone.key})")
    for entry in entries:
        r = entry.get("review") or {}
        note = f" — {r['note']}" if r.get("note") else ""
        when = office_text(entry.get("@timestamp"), zone) or entry.get("@timestamp")
        click.echo(
            f"  {when}  {r.get('previous_status')} -> {r.get('status')}  by {r.get('by')}{note}"
        )
    if not entries:
        click.echo("  (no decisions recorded)")
