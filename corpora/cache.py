"""What the cache holds, and clearing it: the token and character entries that `load_corpus`
and `load_chars` write under the cache root (one per file version and tokenizer setting, so
they pile up as files change), and the corpora `fetch` downloads."""
import re
import shutil
from pathlib import Path
from typing import NamedTuple

from corpora.registry import REGISTRY
from npnlp.files import cache_root

KINDS = ("tokens", "chars")                      # what a later read rebuilds
ENTRY = re.compile(r"(.*)-([0-9a-f]{20})\.")     # <start of the source's name>-<hash>.<part>


class Entry(NamedTuple):
    kind: str        # "tokens", "chars" or "download"
    name: str        # the source's name (its start), or the corpus's
    bytes: int
    mtime: float     # of its newest file
    paths: tuple     # its files (or folder)


def entries(cache_dir=None):
    """The cache's entries, newest first within each kind: only files named as the toolkit
    names its entries, and folders of the registry's corpora, so that a cache root pointed
    at a folder holding other files never lists (or clears) them."""
    root = Path(cache_dir or cache_root())
    found = []
    for kind in KINDS:
        groups = {}
        for path in sorted((root / kind).glob("*")) if (root / kind).is_dir() else ():
            match = ENTRY.match(path.name)
            if match and path.is_file():   # nothing else is the toolkit's: left alone
                groups.setdefault(match.groups(), []).append(path)
        for (name, _), paths in groups.items():
            stats = [p.stat() for p in paths]
            found.append(Entry(kind, name, sum(s.st_size for s in stats),
                               max(s.st_mtime for s in stats), tuple(paths)))
    downloads = root / "corpora"
    for folder in sorted(downloads.iterdir()) if downloads.is_dir() else ():
        if folder.name not in REGISTRY or not folder.is_dir():
            continue
        stats = [p.stat() for p in folder.rglob("*") if p.is_file()]
        found.append(Entry("download", folder.name, sum(s.st_size for s in stats),
                           max((s.st_mtime for s in stats), default=0), (folder,)))
    return sorted(found, key=lambda e: (e.kind != "tokens", e.kind, -e.mtime))


def clear(cache_dir=None, downloads=False):
    """Remove the token and character entries (and with `downloads`, the downloaded
    corpora); return the bytes freed. A later read or fetch rebuilds what it needs."""
    freed = 0
    for entry in entries(cache_dir):
        if entry.kind == "download" and not downloads:
            continue
        for path in entry.paths:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        freed += entry.bytes
    return freed
