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
from pathlib import Path

logger = logging.getLogger(__name__)

FILE_NAME = "validated-packs.txt"


def pack_digest(schema_text: str, pack_text: str) -> str:
    digest = hashlib.sha256(schema_text.encode("utf-8"))
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
                self._known = set(path.read_text(encoding="ascii").split())
            except (OSError, UnicodeDecodeError):
                pass

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
    """The cache of this process's settings (``cache_dir``)."""
    from ground.settings import get_settings

    return ValidatedPacks(get_settings().cache_dir / FILE_NAME)
