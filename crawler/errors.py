"""Exceptions of the crawler that stop a sweep before it starts (registry, site list, options).

Each carries the facts of the problem; ``str(err)`` says it without naming command-line flags
(the library does not know them). The command line (``wuzha.cli.crawl``) turns the ones about an
option or a site source into the sentences that name its flags.
"""

from __future__ import annotations

from pathlib import Path

from ground.errors import WuzhaError


class CrawlError(WuzhaError):
    """A sweep cannot run as asked: bad registry row set, unknown site, unusable option value."""


class NoSites(CrawlError):
    """The sweep was given no sites at all."""

    def __init__(self) -> None:
        super().__init__("there are no sites to crawl; check the registry file or the site choice")


class BadNetwork(CrawlError):
    """A network allowed past the SSRF guard is not one (``CrawlOptions.allow_private``)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"allowed private networks: {reason}")


class BudgetTooSmall(CrawlError):
    """A budget, timeout or concurrency below its minimum (``option``: the ``CrawlOptions``
    field)."""

    def __init__(self, option: str, value: float) -> None:
        self.option, self.value = option, value
        super().__init__(f"{option} must be a positive number, not {self.shown}")

    @property
    def shown(self) -> str:
        """The value as the operator typed it (-5, not -5.0)."""
        return f"{self.value:g}" if isinstance(self.value, float) else str(self.value)


class PathUnusable(CrawlError):
    """A folder or file the sweep needs cannot be made (``option``: the ``CrawlOptions`` field,
    ``out_dir``, ``job_dir`` or ``log_file``; ``reason``: what the system said, in lower case;
    ``is_file``: an output folder that is an existing file)."""

    def __init__(self, option: str, path: Path, reason: str, *, is_file: bool = False) -> None:
        self.option, self.path, self.reason, self.is_file = option, path, reason, is_file
        super().__init__(f"{option} {path}: {reason}")


class OutDirHoldsResults(CrawlError):
    """The output folder holds a previous sweep's results and the run neither resumes nor
    replaces them (``files``: the result files found)."""

    def __init__(self, path: Path, files: list[str]) -> None:
        self.path, self.files = path, files
        super().__init__(
            f"{path} already holds a sweep's results ({', '.join(files)}); resume that sweep, "
            "replace it, or write to another folder"
        )


class SiteFileMissing(CrawlError):
    """The registry or site-list file to crawl does not exist."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"site file {path} does not exist; give a registry CSV/XLSX or site list")


class SitesIndexUnreadable(CrawlError):
    """The sites stored in Elasticsearch could not be read."""

    def __init__(self, alias: str, reason: str) -> None:
        self.alias, self.reason = alias, reason
        super().__init__(f"could not read sites from Elasticsearch index {alias}: {reason}")


class FetchRefused(CrawlError):
    """A page fetched outside a sweep (``crawler.fetch``) is at an address the policy refuses."""

    def __init__(self, host: str, reason: str) -> None:
        self.host, self.reason = host, reason
        super().__init__(f"refusing to fetch {host}: {reason}")
