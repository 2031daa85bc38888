"""Registry and checksummed download, served from a local HTTP server or a file:// mirror."""
import hashlib
import io
import os
import re
import socket
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from corpora import download
from corpora.cli import main
from corpora.download import fetch, source_url
from corpora.registry import REGISTRY, PublicCorpus, lookup
from npnlp.errors import UserError
from npnlp.files import STALE_AFTER, cache_root

TEXT = b"".join(b"line %d of a tiny corpus\n" % i for i in range(5000))


def _zip(data: bytes, member: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, data)
    return buffer.getvalue()


ZIPPED = _zip(TEXT, "tiny.txt")
BAD_ZIP = ZIPPED[:100] + bytes(len(ZIPPED) - 100)
FILES = {"tiny.txt": TEXT, "tiny.zip": ZIPPED, "bad.zip": BAD_ZIP}


def entry(filename: str, **changes) -> PublicCorpus:
    """A registry entry for FILES[filename], its canonical URL a closed local port."""
    data = FILES.get(filename, TEXT)
    corpus = PublicCorpus(
        name="tiny",
        url=f"http://127.0.0.1:{_closed_port()}/{filename}",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        description="a tiny test corpus",
        member="tiny.txt" if filename.endswith(".zip") else None,
    )
    return replace(corpus, **changes)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


STALL = threading.Event()


@pytest.fixture(scope="module")
def server():
    """Base URL of a local server for FILES; under /cut/ it sends half the announced bytes,
    under /stall/ half and then nothing more until STALL is set."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.startswith("/stall/"):
                body = FILES[self.path.rsplit("/", 1)[-1]]
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                STALL.wait(10)
                return
            cut = self.path.startswith("/cut/")
            body = FILES.get(self.path.rsplit("/", 1)[-1])
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2] if cut else body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(params=["http", "file"])
def mirror(request, server, tmp_path) -> str:
    """The test files served over HTTP, or from a file:// folder."""
    if request.param == "http":
        return server
    folder = tmp_path / "mirror"
    folder.mkdir()
    for name, data in FILES.items():
        (folder / name).write_bytes(data)
    return folder.as_uri()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    monkeypatch.delenv("NPNLP_MIRROR", raising=False)
    monkeypatch.setenv("NPNLP_CACHE_DIR", str(tmp_path / "default-cache"))


def cache_files(cache: Path) -> list[str]:
    """Every file and folder under `cache`, relative, hidden ones included."""
    return sorted(str(p.relative_to(cache)) for p in cache.rglob("*"))


@pytest.mark.parametrize("filename", ["tiny.txt", "tiny.zip"])
def test_fetch_downloads_verifies_and_unpacks(mirror, tmp_path, filename):
    cache = tmp_path / "cache"
    path = fetch(entry(filename), cache, mirror, progress=False)
    assert path == cache / "corpora" / "tiny" / "tiny.txt"
    assert path.read_bytes() == TEXT
    assert cache_files(cache) == ["corpora", "corpora/tiny", "corpora/tiny/.verified",
                                  "corpora/tiny/tiny.txt"]


def test_second_fetch_is_a_cache_hit(server, tmp_path):
    corpus = entry("tiny.zip")
    first = fetch(corpus, tmp_path, server, progress=False)
    assert fetch(corpus, tmp_path, "http://127.0.0.1:9/offline", progress=False) == first


def test_truncated_cached_text_is_fetched_again(server, tmp_path):
    corpus = entry("tiny.txt")
    path = fetch(corpus, tmp_path, server, progress=False)
    path.write_bytes(TEXT[:10])
    assert fetch(corpus, tmp_path, server, progress=False).read_bytes() == TEXT


def test_default_cache_is_under_the_cache_root(server):
    assert fetch(entry("tiny.txt"), mirror=server, progress=False).is_relative_to(cache_root())


@pytest.mark.parametrize(
    ("filename", "changes", "mirror_path", "message"),
    [
        ("tiny.txt", {"sha256": "0" * 64}, "", "has sha256 [0-9a-f]{64}, expected 0{64}"),
        ("tiny.txt", {"size": len(TEXT) + 1}, "", f"gave {len(TEXT):,} bytes, expected"),
        ("tiny.txt", {}, "/cut", f"gave {len(TEXT) // 2:,} bytes|IncompleteRead"),
        ("missing.txt", {}, "", "HTTP 404"),
        ("bad.zip", {}, "", "corrupt zip archive bad.zip"),
        ("tiny.zip", {"member": "other.txt"}, "", "corrupt zip archive.*other.txt"),
    ],
)
def test_failed_fetch_leaves_nothing_behind(server, tmp_path, filename, changes, mirror_path,
                                            message):
    with pytest.raises(UserError, match=message):
        fetch(entry(filename, **changes), tmp_path, server + mirror_path, progress=False)
    assert cache_files(tmp_path) == ["corpora"]


def test_unreachable_host_is_a_user_error(tmp_path):
    corpus = entry("tiny.txt")
    with pytest.raises(UserError, match=f"cannot download {re.escape(corpus.url)}: .*refused"):
        fetch(corpus, tmp_path, progress=False)
    assert cache_files(tmp_path) == ["corpora"]


def test_missing_file_in_file_mirror_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="No such file"):
        fetch(entry("tiny.txt"), tmp_path, (tmp_path / "empty").as_uri(), progress=False)


def test_interrupted_unpack_leaves_nothing_behind(server, tmp_path, monkeypatch):
    def interrupt(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(download, "_unpack", interrupt)
    with pytest.raises(KeyboardInterrupt):
        fetch(entry("tiny.zip"), tmp_path, server, progress=False)
    assert cache_files(tmp_path) == ["corpora"]


def test_mirror_replaces_everything_before_the_file_name(monkeypatch, tmp_path):
    corpus = REGISTRY["text8"]
    assert source_url(corpus) == "http://mattmahoney.net/dc/text8.zip"
    assert source_url(corpus, "file:///srv/mirror/") == "file:///srv/mirror/text8.zip"
    assert source_url(corpus, str(tmp_path)) == (tmp_path / "text8.zip").as_uri()
    monkeypatch.setenv("NPNLP_MIRROR", "http://example.org/data")
    assert source_url(corpus) == "http://example.org/data/text8.zip"
    assert source_url(corpus, "http://other.org") == "http://other.org/text8.zip"


def test_cache_root_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "default-cache"
    monkeypatch.delenv("NPNLP_CACHE_DIR")
    assert cache_root() == tmp_path / "xdg" / "npnlp"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_root() == Path.home() / ".cache" / "npnlp"


def test_registry_entries_are_well_formed():
    assert {"text8", "enwik8", "tinyshakespeare"} <= set(REGISTRY)
    for name, corpus in REGISTRY.items():
        assert corpus.name == name
        assert re.fullmatch("[0-9a-f]{64}", corpus.sha256)
        assert corpus.size > 0
        assert (corpus.member is not None) == corpus.filename.endswith(".zip")


def test_unknown_name_suggests_close_ones():
    with pytest.raises(UserError, match="unknown corpus 'text9'; did you mean text8"):
        lookup("text9")


def test_cli_prints_the_path_of_the_text(server, tmp_path, monkeypatch):
    monkeypatch.setitem(REGISTRY, "tiny", entry("tiny.zip"))
    args = ["fetch", "tiny", "--cache-dir", str(tmp_path), "--mirror", server, "--quiet"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output == f"{tmp_path / 'corpora' / 'tiny' / 'tiny.txt'}\n"


def test_cli_reports_errors_on_one_line(server, tmp_path, monkeypatch):
    monkeypatch.setitem(REGISTRY, "tiny", entry("missing.txt"))
    args = ["fetch", "tiny", "--cache-dir", str(tmp_path), "--mirror", server, "--quiet"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert result.output == f"Error: cannot download {server}/missing.txt: HTTP 404 Not Found\n"


def test_cli_lists_the_registry():
    result = CliRunner().invoke(main, ["fetch", "--list"])
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.output.splitlines()] == list(REGISTRY)


def test_cli_needs_a_name():
    result = CliRunner().invoke(main, ["fetch"])
    assert result.exit_code == 2
    assert "missing NAME" in result.output


KILLED_FETCH = """
import sys
from corpora.download import fetch
from corpora.registry import PublicCorpus
name, url, size, sha256, cache, mirror = sys.argv[1:]
fetch(PublicCorpus(name, url, int(size), sha256, "a test corpus"), cache, mirror, progress=False)
"""


def fetch_and_kill_midway(corpus, cache, server, toolkit_env):
    """Start fetching `corpus` in a process, SIGKILL it once half the file has arrived."""
    args = [corpus.name, corpus.url, str(corpus.size), corpus.sha256, str(cache),
            server + "/stall"]
    process = subprocess.Popen([sys.executable, "-c", KILLED_FETCH, *args], env=toolkit_env)
    deadline = time.time() + 10
    while not any(p.is_file() and p.stat().st_size for p in cache.rglob("*")):
        assert time.time() < deadline and process.poll() is None, "the download never began"
        time.sleep(0.02)
    process.kill()
    process.wait()
    STALL.set()


def test_what_a_killed_fetch_left_is_removed_by_a_later_one(server, tmp_path, toolkit_env):
    corpus = entry("tiny.txt")
    fetch_and_kill_midway(corpus, tmp_path, server, toolkit_env)
    assert cache_files(tmp_path) != ["corpora"]
    for path in (tmp_path / "corpora").rglob("*"):
        os.utime(path, (time.time() - STALE_AFTER - 60,) * 2)
    fetch(corpus, tmp_path, server, progress=False)
    assert cache_files(tmp_path) == ["corpora", "corpora/tiny", "corpora/tiny/.verified",
                                     "corpora/tiny/tiny.txt"]


def test_no_progress_bar_when_stderr_is_not_a_terminal(server, tmp_path, monkeypatch):
    monkeypatch.setitem(REGISTRY, "tiny", entry("tiny.zip"))
    result = CliRunner().invoke(main, ["fetch", "tiny", "--cache-dir", str(tmp_path),
                                       "--mirror", server])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_cache_folder_that_is_a_file_is_a_user_error(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(UserError, match="cannot make folder .*: Not a directory"):
        fetch(entry("tiny.txt"), tmp_path / "file", progress=False)
