"""The indexer's exceptions, and Elasticsearch and transport errors turned into sentences an
operator can act on.

Each exception carries the facts (``QueryTooBroad.total``, ``BadWeek.text``…) and a sentence
in the indexer's own terms; the command line (``wuzha.cli``) says it again with the names of its
flags where a flag is the thing to change.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout, TlsError, TransportError
from elasticsearch import (
    ApiError,
    AuthenticationException,
    AuthorizationException,
    NotFoundError,
    UnsupportedProductError,
)

from ground.errors import WuzhaError

_UNKNOWN_HOST_MARKERS = (
    "Name or service not known",
    "nodename nor servname",
    "Temporary failure in name resolution",
    "getaddrinfo failed",
    "No address associated with hostname",
)


class IndexerError(WuzhaError):
    """An Elasticsearch problem the operator can fix (configuration, credentials, cluster)."""


class SpoolUnwritable(IndexerError):
    """The spool folder cannot take a batch (disk full, read-only, no permission): documents
    Elasticsearch could not take have nowhere safe to go. The batch stays with its writer."""

    def __init__(self, path: object, reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(
            f"The spool folder {path} cannot be written ({reason}); free space there or set "
            "another folder in WUZHA_SPOOL_DIR (the spool_dir setting)."
        )


class NotSetUpError(IndexerError):
    """The aliases/templates are missing or newer than this version of wuzha understands."""


# --- review decisions ---------------------------------------------------------------------------


class ReviewError(IndexerError):
    """A review decision that cannot be made as asked."""


class ReviewerMissing(ReviewError):
    """No reviewer named: every decision records who made it."""

    def __init__(self) -> None:
        super().__init__(
            "Say who decides: the reviewer's name or id is recorded with the decision."
        )


class ReviewerInvalid(ReviewError):
    """The reviewer's name is too long or holds control characters."""

    def __init__(self, name: str, limit: int) -> None:
        self.name, self.limit = name, limit
        super().__init__(f"The reviewer must be a plain name of at most {limit} characters.")


class UnknownStatus(ReviewError):
    """A status that targets of this type cannot have."""

    def __init__(
        self, target_type: str, status: str, known: tuple[str, ...], *, site_only: bool
    ) -> None:
        self.target_type, self.status, self.known = target_type, status, known
        self.site_only = site_only  # a takedown state, asked of a hit
        hint = " (takedown states belong to sites)" if site_only else ""
        super().__init__(
            f"Unknown {target_type} status {status!r}{hint}; use one of: {', '.join(known)}."
        )


class SiteNotNamed(ReviewError):
    """An empty site reference."""

    def __init__(self) -> None:
        super().__init__("Name a site: its registry URL, host[:port] or name.")


class SiteNotFound(ReviewError):
    def __init__(self, ref: str) -> None:
        self.ref = ref
        super().__init__(
            f"No registered site matches {ref!r}. Give its registry URL, host[:port] or exact "
            "name as imported with `wuzha sites import`."
        )


class SiteAmbiguous(ReviewError):
    def __init__(self, ref: str, matches: list[str]) -> None:
        self.ref, self.matches = ref, matches
        super().__init__(
            f"{ref!r} matches several sites ({'; '.join(matches)}): give the full registry URL."
        )


class HitNotFound(ReviewError):
    def __init__(self, hit_id: str) -> None:
        self.hit_id = hit_id
        super().__init__(
            f"No hit with id {hit_id!r}. Copy the id (_id) from Kibana's hits view, or select "
            "hits with a query."
        )


class TransitionRefused(ReviewError):
    """The target's current status does not allow the requested one."""

    def __init__(self, label: str, current: str, wanted: str, allowed: str) -> None:
        self.label, self.current, self.wanted = label, current, wanted
        super().__init__(f"Cannot mark {label} as {wanted!r}: it is {current!r} ({allowed}).")


class UnknownVerdictKind(ReviewError):
    """A site-verdict kind wuzha does not make."""

    def __init__(self, kind: str, known: tuple[str, ...]) -> None:
        self.kind, self.known = kind, known
        super().__init__(f"Unknown site verdict {kind!r}; use one of: {', '.join(known)}.")


class UnknownVerdictStatus(ReviewError):
    """A status a site verdict cannot be given (only confirmed or false_positive)."""

    def __init__(self, status: str, known: tuple[str, ...]) -> None:
        self.status, self.known = status, known
        super().__init__(
            f"A site verdict is judged {' or '.join(known)}, not {status!r} (takedown states "
            "belong to the site itself: mark it without a verdict)."
        )


class SiteHasNoVerdict(ReviewError):
    """The site exists but no sweep gave it a verdict of this kind."""

    def __init__(self, label: str, kind: str, kinds: list[str]) -> None:
        self.label, self.kind, self.kinds = label, kind, kinds
        has = f"it has {', '.join(kinds)}" if kinds else "no sweep gave it any site verdict"
        super().__init__(f"{label} has no {kind!r} verdict to decide on; {has}.")


class TargetVanished(ReviewError):
    def __init__(self, label: str) -> None:
        self.label = label
        super().__init__(f"{label} was deleted while being marked.")


class TargetBusy(ReviewError):
    """Others kept changing the target: every optimistic write met a newer version."""

    def __init__(self, label: str, attempts: int) -> None:
        self.label, self.attempts = label, attempts
        super().__init__(
            f"{label} kept changing while being marked ({attempts} attempts); try again."
        )


class MarkFailed(ReviewError):
    """Elasticsearch refused some of the hits' updates (other than version conflicts)."""

    def __init__(self, failures: list[str]) -> None:
        self.failures = failures
        super().__init__(f"{len(failures)} hits could not be marked: {failures[0]:.300}")


class ReviewLogIncomplete(ReviewError):
    """Decisions saved, but some of their log entries were not written."""

    def __init__(self, errors: list[object]) -> None:
        self.errors = errors
        super().__init__(
            f"{len(errors)} review-log entries could not be written ({errors[0]!r:.300}); the "
            "decisions themselves are saved. Check the cluster's health and disk space."
        )


# --- queries that select hits -------------------------------------------------------------------


class QueryError(IndexerError):
    """A reviewer's query that selects no hits, or that cannot be run."""

    def __init__(self, query: str, message: str) -> None:
        self.query = query
        super().__init__(message)


class EmptyQuery(QueryError):
    def __init__(self, query: str = "") -> None:
        super().__init__(
            query, "The query is empty: e.g. 'site.domain:example.com and scan.level:high'"
        )


class BadQuery(QueryError):
    """The query is not in the supported KQL subset; `problem` says where."""

    def __init__(self, query: str, problem: str) -> None:
        self.problem = problem
        super().__init__(query, f"The query {query!r} cannot be read: {problem}")


class QueryNotParsed(QueryError):
    """Translated, but Elasticsearch refused the query_string."""

    def __init__(self, query: str, reason: str) -> None:
        self.reason = reason
        super().__init__(query, f"Elasticsearch cannot parse the query {query!r}: {reason}")


class NoMatchingHits(QueryError):
    def __init__(self, query: str) -> None:
        super().__init__(query, f"No hits match the query {query!r}.")


class QueryTooBroad(QueryError):
    """The query selects more hits than one decision may change."""

    def __init__(self, query: str, total: int, limit: int) -> None:
        self.total, self.limit = total, limit
        super().__init__(
            query,
            f"The query {query!r} selects {total} hits, more than the limit of {limit}: narrow "
            "the query or raise the limit.",
        )


# --- weeks and the takedown export --------------------------------------------------------------


class BadWeek(IndexerError):
    """Text that is not an ISO week such as 2026-W48."""

    def __init__(self, text: str, message: str | None = None) -> None:
        self.text = text
        super().__init__(message or f"{text!r} is not an ISO week: write it like 2026-W48.")


class NoSuchWeek(BadWeek):
    """An ISO week number the year does not have (W53 in most years)."""

    def __init__(self, text: str, year: int, number: int) -> None:
        self.year, self.number = year, number
        super().__init__(text, f"Week {text!r}: {year} has no ISO week {number}.")


class WeekNotStarted(IndexerError):
    def __init__(self, label: str) -> None:
        self.label = label
        super().__init__(f"Week {label} has not started yet.")


# --- identifiers shared between sites -----------------------------------------------------------


class UnknownEntityType(IndexerError):
    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        self.name, self.known = name, known
        super().__init__(
            f"Unknown entity type {name!r}; use one of: {', '.join(known)} "
            "(or usdt/wallet for both USDT kinds)."
        )


class BadThreshold(IndexerError):
    """A minimum number of sites below one."""

    def __init__(self, min_sites: int) -> None:
        self.min_sites = min_sites
        super().__init__(f"The minimum number of sites must be 1 or more, not {min_sites}.")


# --- Kibana -------------------------------------------------------------------------------------


class KibanaError(IndexerError):
    """Kibana's saved objects could not be imported; the message says why."""


class KibanaUrlMissing(KibanaError):
    def __init__(self) -> None:
        super().__init__(
            "No Kibana URL: set KIBANA_URL "
            "(kibana/docker-compose.yml starts one on http://127.0.0.1:5601)."
        )


class KibanaUnreachable(KibanaError):
    def __init__(self, url: str, reason: str) -> None:
        self.url, self.reason = url, reason
        super().__init__(
            f"Kibana at {url} is not reachable ({reason}): start it "
            "(see the README section on Docker Compose) or check its URL."
        )


# --- Elasticsearch and transport errors ---------------------------------------------------------


def describe(err: BaseException, url: str) -> IndexerError:
    """The operator's sentence for a lower-level error met while talking to `url`."""
    text = str(err)
    if isinstance(err, TlsError):
        if "WRONG_VERSION_NUMBER" in text or "wrong version number" in text:
            return IndexerError(
                f"TLS handshake with {url} failed: the server does not speak HTTPS on that port. "
                "Use an http:// URL in ELASTICSEARCH_URL, or enable TLS on the cluster."
            )
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate" in text.lower():
            return IndexerError(
                f"The TLS certificate of {url} could not be verified ({_short(text)}). Set "
                "ELASTICSEARCH_CA_FILE to the PEM file of the CA that signed it (for a test "
                "cluster only: WUZHA_ELASTICSEARCH_VERIFY_CERTS=false)."
            )
        return IndexerError(
            f"TLS error talking to {url}: {_short(text)}. Check the URL's scheme and "
            "ELASTICSEARCH_CA_FILE."
        )
    if isinstance(err, ConnectionTimeout):
        return IndexerError(
            f"Elasticsearch at {url} did not answer in time. Check that it is up and not "
            "overloaded, or raise WUZHA_ELASTICSEARCH_TIMEOUT."
        )
    if isinstance(err, TransportConnectionError):
        if any(marker in text for marker in _UNKNOWN_HOST_MARKERS):
            return IndexerError(
                f"Unknown host in ELASTICSEARCH_URL ({url}): check the host name for typos."
            )
        if "Connection refused" in text:
            return IndexerError(
                f"Nothing is listening at {url} (connection refused). Check ELASTICSEARCH_URL "
                "(host and port), or start a local server with `wuzha es up`."
            )
        return IndexerError(
            f"Cannot connect to Elasticsearch at {url}: {_short(text)}. Check ELASTICSEARCH_URL "
            "and the network."
        )
    if isinstance(err, AuthenticationException):
        return IndexerError(
            f"Elasticsearch at {url} rejected the credentials (HTTP 401). Check "
            "ELASTICSEARCH_API_KEY, or ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD."
        )
    if isinstance(err, AuthorizationException):
        return IndexerError(
            f"The Elasticsearch user or API key is not allowed to do this at {url} (HTTP 403). "
            "Give it the privileges listed in the README (manage_index_templates and "
            "all on the wuzha-* indices), or use another key."
        )
    if isinstance(err, UnsupportedProductError):
        return IndexerError(
            f"The server at {url} is not Elasticsearch. Check ELASTICSEARCH_URL "
            "(host, port, and any proxy path)."
        )
    if isinstance(err, NotFoundError):
        return IndexerError(
            f"{url} answered 404 Not Found: it does not look like Elasticsearch (or the URL has "
            "a wrong path). Check ELASTICSEARCH_URL."
        )
    if isinstance(err, ApiError):
        return IndexerError(f"Elasticsearch at {url} refused the request: {_short(text)}")
    if isinstance(err, TransportError):
        return IndexerError(f"Cannot talk to Elasticsearch at {url}: {_short(text)}")
    return IndexerError(f"Elasticsearch error at {url}: {_short(text)}")


@contextmanager
def translated(url: str) -> Iterator[None]:
    """Raise lower-level Elasticsearch errors met inside the block as :class:`IndexerError`."""
    try:
        yield
    except (TransportError, ApiError) as err:
        raise describe(err, url) from err


def _short(text: str, limit: int = 300) -> str:
    first = text.strip().splitlines()[0] if text.strip() else "no details"
    return first if len(first) <= limit else first[:limit] + "…"


def is_unreachable(err: BaseException) -> bool:
    """True when the cluster is away (down, overloaded, network), as opposed to misconfigured:
    the first case is waited out through the spool, the second needs the operator."""
    if isinstance(err, TlsError):
        return False
    if isinstance(err, (TransportConnectionError, ConnectionTimeout)):
        return not any(marker in str(err) for marker in _UNKNOWN_HOST_MARKERS)
    if isinstance(err, ApiError):
        return err.status_code in (429, 502, 503, 504)
    return False
