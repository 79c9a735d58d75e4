"""A pack whose bytes passed the schema check is not checked again (rules/packcache.py)."""

from __future__ import annotations

import pytest

from ground.settings import get_settings
from rules import loader
from rules.packcache import ValidatedPacks, pack_digest


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """This test's own cache folder (the settings are read once a process: read them again)."""
    monkeypatch.setenv("WUZHA_CACHE_DIR", str(tmp_path / "cache"))
    get_settings.cache_clear()
    yield tmp_path / "cache"
    get_settings.cache_clear()


def test_a_digest_added_is_known_to_the_next_process(tmp_path):
    path = tmp_path / "cache" / "validated-packs.txt"
    first = ValidatedPacks(path)
    digest = pack_digest("schema", "pack")
    assert digest not in first
    first.add(digest)
    assert digest in ValidatedPacks(path)
    assert pack_digest("schema v3", "pack") not in ValidatedPacks(path)  # the schema counts too


def test_an_unwritable_cache_only_means_checking_again(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = ValidatedPacks(blocker / "validated-packs.txt")
    cache.add(pack_digest("s", "p"))  # no error
    assert pack_digest("s", "p") not in ValidatedPacks(blocker / "validated-packs.txt")


def test_a_damaged_line_costs_only_itself(tmp_path):
    path = tmp_path / "validated-packs.txt"
    good = pack_digest("s", "p")
    path.write_bytes(b"\xff\xfe torn\n" + good.encode() + b"\n" + good[:20].encode())
    assert good in ValidatedPacks(path)


def test_check_packs_checks_the_schema_of_a_known_pack_once(cache_dir, monkeypatch):
    calls = []
    real = loader._schema_problems

    def counting(path, data):
        calls.append(path.name)
        return real(path, data)

    monkeypatch.setattr(loader, "_schema_problems", counting)
    pack = loader.DEFAULT_PACKS_DIR / "task_scam.yaml"
    rules, problems = loader.check_packs([pack])
    assert rules and not problems and calls == ["task_scam.yaml"]
    again, problems = loader.check_packs([pack])
    assert [r.id for r in again] == [r.id for r in rules] and not problems
    assert calls == ["task_scam.yaml"]  # the second load took the cache's word for it


def test_a_broken_pack_is_never_taken_as_checked(tmp_path, cache_dir):
    pack = tmp_path / "bad.yaml"
    pack.write_text("version: 2\ncategory: task_scam\nrules: [{id: x}]\n", encoding="utf-8")
    for _ in range(2):
        _, problems = loader.check_packs([pack])
        assert problems
    assert not (cache_dir / "validated-packs.txt").exists()
