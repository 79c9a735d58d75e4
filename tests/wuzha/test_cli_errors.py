"""The boundary between the packages and the command line: library exceptions carry facts and
sentences without flags; the commands say them again with their flags, in the words operators
have always seen."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from ground.errors import WuzhaError
from indexer import errors as ie
from indexer.kql import kql_to_query_string
from indexer.review import check_reviewer, check_status
from indexer.verdict_review import check_verdict
from indexer.weeks import parse_week
from wuzha.cli.entities import threshold_sentence
from wuzha.cli.errors import UsageError, said_with_flags
from wuzha.cli.export import week_sentence
from wuzha.cli.kibana import url_sentence
from wuzha.cli.review import mark_sentence, target_sentence

ROOT = Path(__file__).resolve().parents[2]
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def raised(call, *args, **kwargs) -> WuzhaError:
    with pytest.raises(WuzhaError) as err:
        call(*args, **kwargs)
    return err.value


def review_sentence(err: WuzhaError) -> str | None:
    return mark_sentence(err) or target_sentence(err)


# (library exception, the command's translation, what the operator reads)
CASES = [
    (
        raised(check_verdict, "defaced", "confirmed"),
        review_sentence,
        (
            "Unknown --verdict 'defaced'; use one of: takeover_suspected, spam_injected, "
            "cloaking, hijack_redirect."
        ),
    ),
    (
        raised(check_verdict, "cloaking", "taken_down"),
        review_sentence,
        (
            "With --verdict, --status is confirmed or false_positive (not 'taken_down'); "
            "takedown states belong to the site: mark it without --verdict."
        ),
    ),
    (
        raised(check_reviewer, "  "),
        review_sentence,
        "Say who decides: --by NAME (the reviewer's name or id is recorded with the decision).",
    ),
    (
        raised(check_reviewer, "x" * 101),
        review_sentence,
        "--by must be a plain name of at most 100 characters.",
    ),
    (
        raised(check_status, "hit", "taken_down"),
        review_sentence,
        (
            "Unknown hit status 'taken_down' (takedown states belong to sites: use --site); use one "
            "of: new, confirmed, false_positive."
        ),
    ),
    (
        ie.SiteNotNamed(),
        review_sentence,
        "--site needs a value: the registry URL, host[:port] or name of a site.",
    ),
    (
        ie.HitNotFound("nope:rule"),
        review_sentence,
        (
            "No hit with id 'nope:rule'. Copy the id (_id) from Kibana's hits view, or use --query "
            "to select hits."
        ),
    ),
    (
        raised(kql_to_query_string, "   "),
        review_sentence,
        "--query is empty: e.g. --query 'site.domain:example.com and scan.level:high'",
    ),
    (
        raised(kql_to_query_string, "scan.score >="),
        review_sentence,
        "--query: >= needs a field before it and a value after it.",
    ),
    (
        raised(kql_to_query_string, "a:"),
        review_sentence,
        "--query: ':' needs a field before it and a value after it.",
    ),
    (
        raised(kql_to_query_string, "scan.level:(high or medium"),
        review_sentence,
        "--query: unbalanced parentheses.",
    ),
    (
        ie.QueryNotParsed("a:[1 TO", "Failed to parse query"),
        review_sentence,
        "Elasticsearch cannot parse --query 'a:[1 TO': Failed to parse query",
    ),
    (
        ie.NoMatchingHits("site.domain:none.test"),
        review_sentence,
        "No hits match --query 'site.domain:none.test'.",
    ),
    (
        ie.QueryTooBroad("scan.level:high", 3, 2),
        review_sentence,
        (
            "--query 'scan.level:high' selects 3 hits, more than --limit 2: narrow the query or "
            "raise --limit."
        ),
    ),
    (
        raised(parse_week, "2026-48", SHANGHAI),
        week_sentence,
        "--week '2026-48' is not an ISO week: write it like 2026-W48.",
    ),
    (
        raised(parse_week, "2025-W53", SHANGHAI),
        week_sentence,
        "--week '2025-W53': 2025 has no ISO week 53.",
    ),
    (ie.BadThreshold(0), threshold_sentence, "--min-sites must be 1 or more."),
    (
        ie.KibanaUrlMissing(),
        url_sentence,
        (
            "No Kibana URL: pass --url http://HOST:5601 or set KIBANA_URL "
            "(kibana/docker-compose.yml starts one on http://127.0.0.1:5601)."
        ),
    ),
    (
        ie.KibanaUnreachable("http://127.0.0.1:9", "MaxRetryError"),
        url_sentence,
        (
            "Kibana at http://127.0.0.1:9 is not reachable (MaxRetryError): start it (see the "
            "README section on Docker Compose) or pass the right --url."
        ),
    ),
]


@pytest.mark.parametrize("err,sentence,expected", CASES, ids=lambda v: type(v).__name__)
def test_the_command_names_the_flag(err, sentence, expected):
    assert sentence(err) == expected


@pytest.mark.parametrize("err,_sentence,_expected", CASES, ids=lambda v: type(v).__name__)
def test_the_library_names_no_flag(err, _sentence, _expected):
    assert not FLAG.search(str(err)), str(err)


def test_exceptions_carry_the_facts():
    week = raised(parse_week, "2025-W53", SHANGHAI)
    assert isinstance(week, ie.NoSuchWeek) and isinstance(week, ie.BadWeek)
    assert (week.text, week.year, week.number) == ("2025-W53", 2025, 53)
    bad = raised(kql_to_query_string, "scan.score >=")
    assert isinstance(bad, ie.BadQuery) and bad.query == "scan.score >="
    status = raised(check_status, "hit", "taken_down")
    assert isinstance(status, ie.UnknownStatus) and status.site_only
    assert status.known == ("new", "confirmed", "false_positive")
    assert isinstance(raised(check_reviewer, None), ie.ReviewerMissing)


def test_said_with_flags_rewords_only_what_it_knows():
    with (
        pytest.raises(UsageError, match="^--min-sites must be 1 or more.$") as err,
        said_with_flags(threshold_sentence),
    ):
        raise ie.BadThreshold(0)
    assert isinstance(err.value.__cause__, ie.BadThreshold)
    other = ie.WeekNotStarted("2030-W01")
    with (
        pytest.raises(ie.WeekNotStarted) as passed,
        said_with_flags(week_sentence, threshold_sentence),
    ):
        raise other
    assert passed.value is other
    own = UsageError("give --x")
    with pytest.raises(UsageError) as kept, said_with_flags(lambda err: "reworded"):
        raise own
    assert kept.value is own


def _raise_texts(path: Path) -> list[tuple[int, str]]:
    """Every string constant inside a `raise` statement of `path` (f-string parts included)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and node.exc is not None:
            for part in ast.walk(node.exc):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    found.append((node.lineno, part.value))
    return found


def _exception_texts(path: Path) -> list[tuple[int, str]]:
    """String constants of `super().__init__(…)` calls in exception classes."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "__init__"
        ):
            for part in ast.walk(node):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    found.append((node.lineno, part.value))
    return found


@pytest.mark.parametrize("package", ["indexer", "rules"])
def test_library_messages_name_no_command_line_flag(package):
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, text in _raise_texts(path) + _exception_texts(path)
        if FLAG.search(text)
    ]
    assert offenders == []


# --- the commands, end to end (nothing here needs Elasticsearch) -----------------------------


@pytest.fixture
def run(monkeypatch, tmp_path):
    from ground.settings import get_settings
    from wuzha.cli import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WUZHA_CONFIG", str(tmp_path / "none.toml"))
    for name in ("KIBANA_URL", "WUZHA_KIBANA_URL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()

    def invoke(*args: str):
        return CliRunner().invoke(cli, list(args))

    yield invoke
    get_settings.cache_clear()


def test_review_mark_without_a_reviewer_names_by(run):
    result = run("review", "mark", "--site", "x.example.test", "--status", "confirmed")
    assert isinstance(result.exception, UsageError)
    assert str(result.exception) == (
        "Say who decides: --by NAME (the reviewer's name or id is recorded with the decision)."
    )


def test_export_with_a_wrong_week_names_week(run):
    result = run("export", "takedown", "--week", "2025-W53")
    assert isinstance(result.exception, UsageError)
    assert str(result.exception) == "--week '2025-W53': 2025 has no ISO week 53."


def test_kibana_setup_without_a_url_names_url(run):
    result = run("kibana", "setup")
    assert isinstance(result.exception, UsageError)
    assert str(result.exception).startswith("No Kibana URL: pass --url http://HOST:5601")
