"""Write a file so that readers see either the old file or the complete new one, never half."""
import os
import uuid
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_write(path, binary=False):
    """Open a temporary file beside `path`; on success rename it over `path`, else delete it.

    The temporary file lives in the same folder, so `os.replace` is an atomic rename: an
    interrupted run leaves the previous file (or none), never a truncated one. Text is UTF-8.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        f = open(tmp, "xb") if binary else open(tmp, "x", encoding="utf-8")
    except OSError as e:  # name the file asked for, not the temporary one
        raise OSError(e.errno, e.strerror, str(path)) from None
    try:
        with f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
