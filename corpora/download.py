"""Download a registered corpus into a local cache, verified by size and sha256, then unpacked.

Nothing half-written is ever left under a final name: the download and the unpacking happen in
a temporary folder `.part-*` in the cache's `corpora` folder (the same file system, so
`os.replace` is atomic), which is removed whatever happens, Ctrl-C included; the corpus's own
folder is made only once its text is complete. A process killed outright (SIGKILL) cannot
remove its temporary folder: a later fetch does, once nothing in it has changed for a day.
"""
import hashlib
import http.client
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
import zlib
from pathlib import Path

from corpora.registry import PublicCorpus, lookup
from npnlp.errors import UserError
from npnlp.files import atomic_write, cache_root, ensure_folder, remove_stale
from npnlp.progress import progress_bar

CHUNK = 1 << 20
TIMEOUT = 60
MARKER = ".verified"
PART = re.compile(r"\.part-.*", re.S)  # temporary folders in the cache's corpora/ folder


def source_url(corpus: PublicCorpus, mirror: str | None = None) -> str:
    """The URL to download `corpus` from: `mirror` (else `$NPNLP_MIRROR`) + file name, else its own.

    The mirror replaces everything before the file name, so `file:///srv/mirror` serves text8
    from `/srv/mirror/text8.zip`; a mirror without a scheme is a local folder.
    """
    mirror = mirror or os.environ.get("NPNLP_MIRROR")
    if not mirror:
        return corpus.url
    if "://" not in mirror:
        mirror = Path(mirror).resolve().as_uri()
    return f"{mirror.rstrip('/')}/{corpus.filename}"


def fetch(
    corpus: str | PublicCorpus,
    cache_dir: str | Path | None = None,
    mirror: str | None = None,
    progress: bool = True,
) -> Path:
    """The path of `corpus`'s text file in the cache, downloading and unpacking it if needed.

    `corpus` is a registry name or an entry of one's own. The text lives in
    `<cache_dir or cache_root()>/corpora/<name>/`. Beside it, `.verified` records the sha256 of
    the verified download and the size of the text; a later call that finds both matching
    returns at once, without rehashing (a truncated or replaced text fails the size check and is
    fetched again). The cache folder is made and checked before downloading.
    """
    if isinstance(corpus, str):
        corpus = lookup(corpus)
    root = Path(cache_dir or cache_root()) / "corpora"
    folder = root / corpus.name
    text = folder / corpus.text_name
    if _is_cached(corpus, text):
        return text
    ensure_folder(root)
    remove_stale(root, PART)
    with tempfile.TemporaryDirectory(dir=root, prefix=".part-") as tmp:
        downloaded = Path(tmp) / corpus.filename
        _download(source_url(corpus, mirror), downloaded, corpus, progress)
        unpacked = _unpack(downloaded, corpus.member) if corpus.member else downloaded
        folder.mkdir(exist_ok=True)
        os.replace(unpacked, text)
    with atomic_write(folder / MARKER) as f:
        f.write(_stamp(corpus, text))
    return text


def _stamp(corpus: PublicCorpus, text: Path) -> str:
    return f"{corpus.sha256} {text.stat().st_size}\n"


def _is_cached(corpus: PublicCorpus, text: Path) -> bool:
    marker = text.parent / MARKER
    return text.is_file() and marker.is_file() and marker.read_text() == _stamp(corpus, text)


def _download(url: str, path: Path, corpus: PublicCorpus, progress: bool) -> None:
    """Copy `url` to `path` with a progress bar, then check its size and sha256 against `corpus`."""
    sha256 = hashlib.sha256()
    try:
        with (
            urllib.request.urlopen(url, timeout=TIMEOUT) as response,
            path.open("wb") as out,
            progress_bar(corpus.size, "B", progress, desc=corpus.name) as bar,
        ):
            while chunk := response.read1(CHUNK):  # what has arrived, up to CHUNK
                out.write(chunk)
                sha256.update(chunk)
                bar.update(len(chunk))
    except (OSError, http.client.HTTPException) as e:
        hint = "" if isinstance(e, urllib.error.HTTPError) or url != corpus.url else (
            " (offline? --mirror or $NPNLP_MIRROR fetches it from a copy: a folder or a URL)")
        raise UserError(f"cannot download {url}: {_reason(e)}{hint}") from None
    size = path.stat().st_size
    if size != corpus.size:
        raise UserError(f"{url} gave {size:,} bytes, expected {corpus.size:,}")
    if sha256.hexdigest() != corpus.sha256:
        raise UserError(f"{url} has sha256 {sha256.hexdigest()}, expected {corpus.sha256}")


def _reason(error: Exception) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    return str(getattr(error, "reason", error))


def _unpack(archive: Path, member: str) -> Path:
    """Extract `member` of the zip `archive` into a file beside it and return that file."""
    target = archive.parent / "unpacked"
    try:
        with zipfile.ZipFile(archive) as zf, zf.open(member) as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, CHUNK)
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError) as e:
        raise UserError(f"corrupt zip archive {archive.name}: {e}") from None
    return target
