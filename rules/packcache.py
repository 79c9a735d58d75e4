"""Which rule-pack files have passed the schema check already, by content.

Checking the packs against the JSON Schema (jsonschema, Draft 2020-12, with many ``oneOf``
branches) takes most of the seconds an engine needs to load, and every crawl, its page workers
and every ``wuzha`` command load one. A pack whose exact bytes passed the check under the exact
same schema passes it again, so its digest (sha256 of schema and pack) is kept in a small file
under the ``cache_dir`` setting and the check is skipped next time. The file is a cache: it is
read if it is there and written if it can be, and an unreadable or unwritable one only means
the check runs again. Conventions beyond the schema (ids, examples, lexicons) are checked on
every load.
"""

from __future__ import annotations

import hashlib
import logging
import re
from importlib.metadata import version
from pathlib import Path

logger = logging.getLogger(__name__)

FILE_NAME = "validated-packs.txt"
# Raised whenever what "passed the schema check" means changes (rules/loader._schema_problems);
# the validator's version counts too, so no checkout or venv trusts another's verdict blindly.
CHECK_VERSION = 1
_DIGEST = re.compile(rb"^[0-9a-f]{64}$")


def pack_digest(schema_text: str, pack_text: str) -> str:
    digest = hashlib.sha256(f"{CHECK_VERSION} {version('jsonschema')}\0".encode())
    digest.update(schema_text.encode("utf-8"))
    digest.update(b"\0")
    digest.update(pack_text.encode("utf-8"))
    return digest.hexdigest()


class ValidatedPacks:
    """The digests of pack files that passed the schema check (see the module docstring)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._known: set[str] = set()
        if path is not None:
            try:
                lines = path.read_bytes().splitlines()
            except OSError:
                lines = []
            # a torn or damaged line costs that one entry, not the cache
            self._known = {line.decode() for line in lines if _DIGEST.match(line)}

    def __contains__(self, digest: str) -> bool:
        return digest in self._known

    def add(self, digest: str) -> None:
        if digest in self._known:
            return
        self._known.add(digest)
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="ascii") as out:
                out.write(digest + "\n")
        except OSError as err:
            logger.debug("rule-pack check cache not written (%s): %s", self.path, err)


def validated_packs() -> ValidatedPacks:
    """The cache of this process's settings (``cache_dir``); none when the settings are bad
    (``wuzha rules validate`` still checks the packs)."""
    from ground.settings import SettingsError, get_settings

    try:
        return ValidatedPacks(get_settings().cache_dir / FILE_NAME)
    except SettingsError:
        return ValidatedPacks(None)
