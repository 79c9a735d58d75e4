"""Elasticsearch and transport errors turned into sentences an operator can act on."""

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


class NotSetUpError(IndexerError):
    """The aliases/templates are missing or newer than this version of wuzha understands."""


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
