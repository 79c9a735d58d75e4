"""One configured Elasticsearch client, built from :class:`ground.settings.Settings`."""

from __future__ import annotations

from elasticsearch import Elasticsearch

from ground.settings import Settings
from indexer.errors import IndexerError, translated
from indexer.localstate import local_url


def configured_url(settings: Settings) -> str | None:
    """ELASTICSEARCH_URL, else the server `wuzha es up` started, else None."""
    return settings.elasticsearch_url or local_url(settings)


def resolve_url(settings: Settings) -> str:
    """The configured URL (:func:`configured_url`), or a clear error when there is none."""
    url = configured_url(settings)
    if not url:
        raise IndexerError(
            "No Elasticsearch configured: set ELASTICSEARCH_URL or run `wuzha es up`"
        )
    return url.rstrip("/")


def connect(settings: Settings, *, check: bool = True, max_retries: int = 2) -> Elasticsearch:
    """A client for the configured cluster. With `check`, one cluster-health call proves the
    URL, credentials and TLS set-up work, and any problem becomes an :class:`IndexerError`
    sentence instead of a traceback in the middle of a crawl."""
    url = resolve_url(settings)
    kwargs: dict = {
        "request_timeout": settings.elasticsearch_timeout,
        "max_retries": max_retries,
        "retry_on_timeout": True,
    }
    if settings.elasticsearch_api_key:
        kwargs["api_key"] = settings.elasticsearch_api_key
    elif settings.elasticsearch_username:
        kwargs["basic_auth"] = (
            settings.elasticsearch_username,
            settings.elasticsearch_password or "",
        )
    if url.startswith("https://"):
        ca_file = settings.elasticsearch_ca_file
        if ca_file is not None:
            if not ca_file.is_file():
                raise IndexerError(
                    f"ELASTICSEARCH_CA_FILE {ca_file} does not exist or is not a file: point it "
                    "at the PEM file of the CA that signed the cluster's certificate."
                )
            kwargs["ca_certs"] = str(ca_file)
        kwargs["verify_certs"] = settings.elasticsearch_verify_certs
        if not settings.elasticsearch_verify_certs:
            kwargs["ssl_show_warn"] = False
    try:
        client = Elasticsearch(url, **kwargs)
    except ValueError as err:  # malformed URL or option combination
        raise IndexerError(
            f"ELASTICSEARCH_URL {url!r} is not usable: {err}. Expected e.g. http://127.0.0.1:9200"
        ) from err
    if check:
        with translated(url):
            client.cluster.health()
    return client
