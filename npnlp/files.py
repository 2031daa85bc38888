"""File-system conventions shared by the toolkit: atomic writes and the cache folder."""
import os
import uuid
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_write(path, binary=False):
    """Open a temporary file beside `path`; on success rename it over `path`, else delete it.

    The temporary file lives in the same folder, so `os.replace` is an atomic rename: an
    interrupted run leaves the previous file (or none), never a truncated one. Text is UTF-8
    with '\n' line endings.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        f = open(tmp, "xb") if binary else open(tmp, "x", encoding="utf-8", newline="\n")
    except OSError as e:  # name the file asked for, not the temporary one
        raise OSError(e.errno, e.strerror, str(path)) from None
    try:
        with f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def cache_root():
    """Where downloads and tokenized corpora are cached: $NPNLP_CACHE_DIR, else
    $XDG_CACHE_HOME/npnlp, else ~/.cache/npnlp."""
    if os.environ.get("NPNLP_CACHE_DIR"):
        return Path(os.environ["NPNLP_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "npnlp"
