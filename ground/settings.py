"""All of wuzha's settings, in one place.

Values come from (highest first): environment variables, the TOML file named by
``WUZHA_CONFIG`` (default ``./wuzha.toml`` when present), then the defaults below. Environment
variables are ``WUZHA_<FIELD NAME>`` in upper case, except the few with a conventional name
(``ELASTICSEARCH_URL`` and friends), listed in each field's ``validation_alias``.

Every field's description is rendered in the README's settings table; a test keeps them in step.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from ground.errors import WuzhaError

# The longest URL wuzha takes anywhere: the crawl's default cap (crawl_max_url_length), the
# registry import and site lists (a longer site URL is refused with its row), links on a page.
MAX_URL_CHARS = 2048


class SettingsError(WuzhaError):
    """A setting has a value wuzha cannot use (or the config file is not valid TOML)."""


def _default_state_dir() -> Path:
    # Root's home is not readable by the unprivileged user that runs the local Elasticsearch,
    # so root keeps wuzha's state in /var/lib like other daemons.
    if os.geteuid() == 0:
        return Path("/var/lib/wuzha")
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local/share")) / "wuzha"


def _default_cache_dir() -> Path:
    if os.geteuid() == 0:
        return Path("/var/cache/wuzha")
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "wuzha"


def _config_file() -> Path:
    return Path(os.environ.get("WUZHA_CONFIG", "wuzha.toml"))


def _alias(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    """wuzha's configuration. Build one with :func:`get_settings`; pass it down explicitly."""

    model_config = SettingsConfigDict(env_prefix="WUZHA_", extra="ignore", frozen=True)

    # --- Elasticsearch connection -------------------------------------------------------
    elasticsearch_url: str | None = Field(
        None,
        validation_alias=_alias(
            "ELASTICSEARCH_URL", "WUZHA_ELASTICSEARCH_URL", "elasticsearch_url"
        ),
        description="URL of the Elasticsearch cluster (e.g. https://es.example:9200). Unset: "
        "the local server started by `wuzha es up`, if any.",
    )
    elasticsearch_api_key: str | None = Field(
        None,
        validation_alias=_alias(
            "ELASTICSEARCH_API_KEY", "WUZHA_ELASTICSEARCH_API_KEY", "elasticsearch_api_key"
        ),
        description="API key (base64 'id:key' form) for the cluster; preferred over a password.",
    )
    elasticsearch_username: str | None = Field(
        None,
        validation_alias=_alias(
            "ELASTICSEARCH_USERNAME", "WUZHA_ELASTICSEARCH_USERNAME", "elasticsearch_username"
        ),
        description="User name for basic authentication.",
    )
    elasticsearch_password: str | None = Field(
        None,
        validation_alias=_alias(
            "ELASTICSEARCH_PASSWORD", "WUZHA_ELASTICSEARCH_PASSWORD", "elasticsearch_password"
        ),
        description="Password for basic authentication.",
    )
    elasticsearch_ca_file: Path | None = Field(
        None,
        validation_alias=_alias(
            "ELASTICSEARCH_CA_FILE", "WUZHA_ELASTICSEARCH_CA_FILE", "elasticsearch_ca_file"
        ),
        description="PEM file with the CA that signed the cluster's certificate.",
    )
    elasticsearch_verify_certs: bool = Field(
        True, description="Verify the cluster's TLS certificate (turn off only for testing)."
    )
    elasticsearch_timeout: float = Field(
        30.0, gt=0, description="Seconds to wait for one Elasticsearch request."
    )
    index_prefix: str = Field(
        "wuzha",
        description="Prefix of every index, alias and template wuzha creates "
        "(pages: <prefix>-pages, …).",
    )
    bulk_chunk_size: int = Field(500, ge=1, description="Documents per bulk request.")
    bulk_max_retries: int = Field(
        5, ge=0, description="Retries (with exponential backoff) of a bulk chunk on 429 or 5xx."
    )
    bulk_initial_backoff: float = Field(
        1.0,
        gt=0,
        description="Seconds before the first retry of a bulk chunk (doubles each retry).",
    )
    bulk_max_backoff: float = Field(
        30.0, gt=0, description="Longest wait between two retries of a bulk chunk, in seconds."
    )

    # --- Local state ---------------------------------------------------------------------
    state_dir: Path = Field(
        default_factory=_default_state_dir,
        description="Where wuzha keeps local state: spool, crawl jobs, the local "
        "Elasticsearch. Default /var/lib/wuzha as root, else ~/.local/share/wuzha.",
    )
    cache_dir: Path = Field(
        default_factory=_default_cache_dir,
        description="Where wuzha keeps what it can always rebuild (which rule packs passed "
        "the schema check). Default /var/cache/wuzha as root, else ~/.cache/wuzha.",
    )
    spool_dir: Path | None = Field(
        None,
        description="Where documents wait while Elasticsearch is unreachable "
        "(default <state_dir>/spool).",
    )

    # --- Local Elasticsearch (`wuzha es up`) ---------------------------------------------
    es_version: str = Field(
        "8.19.21",
        description="Version of the single-node Elasticsearch that `wuzha es up` runs "
        "(Maven Central integ-test-zip; 8.19 runs on Java 17).",
    )
    es_port: int = Field(
        9200, ge=1, le=65535, description="HTTP port of the local Elasticsearch (127.0.0.1)."
    )
    es_heap: str = Field("512m", description="JVM heap of the local Elasticsearch.")
    es_java_home: Path | None = Field(
        None,
        description="JDK for the local Elasticsearch (default: the JDK that `java` runs, "
        "or /usr/lib/jvm/java-17-openjdk-amd64).",
    )

    # --- Kibana --------------------------------------------------------------------------
    kibana_url: str | None = Field(
        None,
        validation_alias=_alias("KIBANA_URL", "WUZHA_KIBANA_URL", "kibana_url"),
        description="Kibana URL for `wuzha kibana setup` (e.g. http://localhost:5601).",
    )

    # --- Review and exports ----------------------------------------------------------------
    report_timezone: str = Field(
        "Asia/Shanghai",
        description="The office's time zone (IANA name). Times are stored in UTC and shown "
        "in this zone wherever people read them: report.html, `review history`, the takedown "
        "export (whose ISO weeks run from Monday 00:00 to Monday 00:00 here) and command "
        "summaries.",
    )

    # --- Detection ----------------------------------------------------------------------
    rules_model: bool = Field(
        True,
        description="Use the learned text model (rules/textmodel.py, trained on the team's own "
        "web texts) as a second signal: in a content block where a rule fired, or a phone, QQ, WeChat, "
        "Telegram, bank-card or USDT entity stands, or a rule nearly fired (only for its "
        "category, at a higher bar), a confident model adds a hit `model.<category>` "
        "explained by its strongest n-grams; where a rule fired in a block that leans to a "
        "warning, a model sure it is no fraud lowers the score. It never reads a block whose "
        "wording excuses the rules (a warning, a report) where no rule fired.",
    )

    # --- Crawling ------------------------------------------------------------------------
    crawl_robots_txt: bool = Field(
        True, description="Obey robots.txt of crawled sites (default: yes)."
    )
    crawl_max_pages: int = Field(200, ge=1, description="Default page budget per site.")
    crawl_max_depth: int = Field(4, ge=0, description="Default link depth budget per site.")
    crawl_site_timeout: float = Field(
        600.0, gt=0, description="Default wall-time budget per site, in seconds."
    )
    crawl_download_timeout: float = Field(
        20.0,
        gt=0,
        description="Seconds one download may take (connection and body) before it fails.",
    )
    crawl_max_url_length: int = Field(
        MAX_URL_CHARS,
        ge=1,
        description="Longest URL the crawler requests (longer ones are skipped as traps).",
    )
    crawl_site_max_errors: int = Field(
        8,
        ge=1,
        description="Consecutive failed requests (network errors, 5xx) after which a site is "
        "given up for this sweep.",
    )
    crawl_concurrency: int = Field(64, ge=1, description="Concurrent requests in total.")
    crawl_concurrency_per_site: int = Field(2, ge=1, description="Concurrent requests per site.")
    crawl_max_response_bytes: int = Field(
        5 * 1024 * 1024,
        ge=1,
        description="Largest response body kept, after decompression (bigger ones are dropped).",
    )
    crawl_page_workers: int = Field(
        2,
        ge=0,
        description="Worker processes that read (decode, parse, extract) and scan the crawled "
        "pages, each page under crawl_page_time_limit; 0: in the crawler's own process, with "
        "no time limit (a page built to be slow can then stall the whole sweep).",
    )
    crawl_page_time_limit: float = Field(
        10.0,
        gt=0,
        description="Seconds one page may take to be read in a page worker, and again to be "
        "scanned, counted from when a worker takes it (wall clock); a page over it is "
        "recorded as such and its site goes on.",
    )
    crawl_playwright: bool = Field(
        True, description="Render flagged and script-only pages in Chromium via Playwright."
    )
    chromium_path: Path = Field(
        Path("/usr/bin/chromium"), description="Chromium executable for Playwright."
    )
    # --- Site checks: cloaking and hijacking (sitecheck/cloaking.py) ------------------------
    sitecheck_extra_requests: int = Field(
        4,
        ge=0,
        description="Extra page requests per site and sweep that look for cloaking and "
        "hijacking: the home page as a search-engine crawler, the home page as a mobile "
        "visitor arriving from a search (rendered when rendering is on), and up to two found "
        "pages as a crawler (0: no such checks). A render's own sub-resources do not count.",
    )
    sitecheck_crawler_agents: tuple[str, ...] = Field(
        (
            "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
            "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
            "Mozilla/5.0 (compatible; 360Spider; +http://www.so.com/help/help_3_2.html)",
        ),
        min_length=1,
        description="User-Agents of the search-engine crawlers the site checks pose as, first "
        "one for the home page (a JSON list in the environment).",
    )
    sitecheck_mobile_agent: str = Field(
        "Mozilla/5.0 (Linux; Android 13; V2227A) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/116.0.0.0 Mobile Safari/537.36",
        description="User-Agent of the mobile browser the site checks pose as.",
    )
    sitecheck_search_referer: str = Field(
        "https://www.baidu.com/s?wd={name}",
        description="Referer of the mobile visit: a search-results page ({name}: the site's "
        "registered name, URL-encoded).",
    )
    # --- The weekly routine (`wuzha weekly`) ------------------------------------------------
    weekly_base_dir: Path | None = Field(
        None,
        description="Base folder of `wuzha weekly`: each run's results and takedown list go "
        "to a folder named after the run's date (YYYY-MM-DD, office time zone) under it "
        "(default <state_dir>/weekly).",
    )
    weekly_keep: int = Field(
        12,
        ge=1,
        description="Dated run folders `wuzha weekly` keeps under its base folder; older ones "
        "are removed after a run that succeeded.",
    )
    # --- Local site farm (tests, demo, benchmarks) -----------------------------------------
    farm_base_port: int = Field(
        18000,
        ge=1,
        le=65535,
        description="Port of the farm's site 0 (site i on base+i, control on base-1).",
    )
    farm_seed: int = Field(
        20240601, description="Seed of the farm generator (same seed, same farm)."
    )
    farm_sites: int = Field(
        60, ge=1, description="Number of sites `wuzha farm serve` starts by default."
    )
    redis_url: str | None = Field(
        None,
        validation_alias=_alias("REDIS_URL", "WUZHA_REDIS_URL", "redis_url"),
        description="Redis URL; when set, crawls share their queue and dupefilter through "
        "scrapy-redis (distributed crawling).",
    )

    @property
    def spool_path(self) -> Path:
        return self.spool_dir or self.state_dir / "spool"

    @property
    def weekly_base_path(self) -> Path:
        return self.weekly_base_dir or self.state_dir / "weekly"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=_config_file()),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (environment and config file are read once). A bad value
    is a :class:`SettingsError` naming the setting, not a validation traceback."""
    try:
        return Settings()
    except tomllib.TOMLDecodeError as err:
        raise SettingsError(
            f"The config file {_config_file()} is not valid TOML ({err}): fix it, or point "
            "WUZHA_CONFIG at another file."
        ) from None
    except ValidationError as err:
        problems = "; ".join(_describe(error) for error in err.errors())
        raise SettingsError(
            f"Bad setting: {problems}. Fix it in the environment or in {_config_file()}."
        ) from None


def _describe(error: Any) -> str:
    name = str(error["loc"][0]) if error.get("loc") else "?"
    field = Settings.model_fields.get(name)
    where = f"{name} ({env_var_name(name, field)})" if field is not None else name
    return f"{where} = {error.get('input')!r}: {error['msg']}"


def default_of(name: str) -> Any:
    """The default of setting `name` as declared above (no environment or file read): for the
    places that need a default value at import time (Scrapy's settings module, the farm)."""
    return Settings.model_fields[name].get_default(call_default_factory=True)


def settings_with(**overrides: Any) -> Settings:
    """A copy of the process settings with some fields replaced (tests, CLI flags)."""
    return get_settings().model_copy(update=overrides)


def env_var_name(name: str, field: Any) -> str:
    """The environment variable an operator sets for a field (the conventional alias if any)."""
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return f"WUZHA_{name.upper()}"


def settings_table() -> str:
    """The README's settings table (Markdown), generated from the fields above."""
    rows = ["| setting (env var) | config file key | default | what it does |", "|---|---|---|---|"]
    for name, field in Settings.model_fields.items():
        if field.default_factory is not None:
            default = "see description"
        else:
            default = "unset" if field.default is None else f"`{field.default}`"
        rows.append(
            f"| `{env_var_name(name, field)}` | `{name}` | {default} | {field.description} |"
        )
    return "\n".join(rows)
