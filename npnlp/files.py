"""File-system conventions shared by the toolkit: atomic writes, checks on the paths a user
gives, the cache folder.

The string '-' stands for standard output (for readers, standard input), as in Unix tools; a
`Path('-')` is a file named '-'.
"""
import hashlib
import io
import os
import re
import secrets
import shutil
import stat
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from npnlp.errors import UserError

VISIBLE_BYTES = 100  # of a file's name, kept in the names of its temporaries and cache entries
STALE_AFTER = 24 * 3600  # seconds unchanged after which a temporary is taken as abandoned
TEMPORARY = re.compile(r"\..*\.npnlp-[0-9a-f]{16}\.tmp", re.S)  # atomic_write's temporaries


def is_stdio(path):
    """Whether `path` is the string '-', standard input or output."""
    return isinstance(path, str) and path == "-"


def stream_bytes(path):
    """The whole content of `path` if it is read as a stream, which can be neither
    memory-mapped nor seeked ('-' for standard input, a pipe, a FIFO, a device); None for a
    plain file."""
    if is_stdio(str(path)):
        return sys.stdin.buffer.read()
    with open(path, "rb") as f:
        return None if stat.S_ISREG(os.fstat(f.fileno()).st_mode) else f.read()


def check_path(value, name):
    """Raise TypeError unless `value` is a path (a str or an os.PathLike): a wrong argument is
    named at the entry point instead of failing deep inside."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or os.PathLike), not "
                        f"{type(value).__name__}")


def truncate_name(name, max_bytes=VISIBLE_BYTES):
    """The start of the file name `name`, at most `max_bytes` bytes of UTF-8 and never cut
    inside a character: a readable part for names derived from it, which must stay within the
    file system's limit (NAME_MAX, 255 bytes on most) whatever the length of `name`."""
    return os.fsencode(name)[:max_bytes].decode("utf-8", "ignore")


@contextmanager
def atomic_write(path, binary=False):
    """Open a temporary file beside `path`; on success rename it over `path`, else delete it.

    The temporary file lives in the same folder, so `os.replace` is an atomic rename: an
    interrupted run leaves the previous file (or none), never a truncated one. Text is UTF-8
    with '\n' line endings. '-' writes to standard output instead, as the text comes.

    The temporary is named `.<start of the name>.npnlp-<random>.tmp`, never longer than 128
    bytes, so any name the file system takes for `path` works. A writer killed outright
    (SIGKILL, a power cut) cannot delete its temporary: the next atomic write in the same
    folder does, once nothing has changed it for a day (see `remove_stale`).
    """
    if is_stdio(path):
        with _stdout(binary) as f:
            yield f
        return
    path = Path(path)
    tmp = temporary_beside(path)
    try:
        f = open(tmp, "xb") if binary else open(tmp, "x", encoding="utf-8", newline="\n")
    except OSError as e:  # name the file asked for, not the temporary one
        raise OSError(e.errno, e.strerror, str(path)) from None
    try:
        with f:
            yield f
        os.replace(tmp, path)
    except BaseException as e:
        tmp.unlink(missing_ok=True)
        if isinstance(e, OSError) and e.errno and not e.filename:   # a full disk, say:
            raise OSError(e.errno, e.strerror, str(path)) from None  # name the file
        raise


def temporary_beside(path):
    """A new name for a temporary file or folder beside `path`, of the form atomic writes
    use (`.<start of the name>.npnlp-<random>.tmp`), after removing the stale ones a killed
    writer left in that folder."""
    path = Path(path)
    remove_stale(path.parent, TEMPORARY)
    return path.with_name(f".{truncate_name(path.name)}.npnlp-{secrets.token_hex(8)}.tmp")


@contextmanager
def _stdout(binary):
    """Standard output as a file of its own (UTF-8, '\n'), leaving the descriptor open; where
    it has no descriptor (a notebook, a test runner), `sys.stdout` itself."""
    sys.stdout.flush()
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, io.UnsupportedOperation):
        yield sys.stdout.buffer if binary else sys.stdout
        return
    mode = {"mode": "wb"} if binary else {"mode": "w", "encoding": "utf-8", "newline": "\n"}
    with open(fd, closefd=False, **mode) as f:
        yield f


def remove_stale(folder, pattern):
    """Delete the entries of `folder` whose names match `pattern` (a compiled regex) and that
    nothing has changed for STALE_AFTER seconds: temporaries left by a killed process.

    A folder counts as changed when anything directly in it is, so a download in progress
    (whose file grows) is never taken as stale. Age, not the writer's pid, decides, because a
    pid means nothing to another machine or container sharing the folder. Errors (a
    temporary removed meanwhile, no permission) are ignored: this is housekeeping.
    """
    cutoff = time.time() - STALE_AFTER
    try:
        entries = [Path(e.path) for e in os.scandir(folder) if pattern.fullmatch(e.name)]
    except OSError:
        return
    for entry in entries:
        try:
            if _last_change(entry) >= cutoff:
                continue
            if stat.S_ISDIR(entry.lstat().st_mode):
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except OSError:
            pass


def _last_change(path):
    """The newest modification time of `path` and, for a folder, of what it directly holds."""
    paths = [path]
    if stat.S_ISDIR(path.lstat().st_mode):
        paths += path.iterdir()
    return max(p.lstat().st_mtime for p in paths)


def check_output(path, inputs=()):
    """Refuse, before any work starts, an output path that writing would destroy data with or
    fail at the end of the work for. Raises UserError naming the problem.

    '-' (standard output) is always fine. Otherwise `path` must be a regular file or not exist
    yet: never a symbolic link, FIFO, device or folder, which an atomic write would replace
    with a regular file. Its folder must exist and be writable. It must not be one of `inputs`
    (files or folders to be read; compared by device and inode, so another path or a hard link
    to the same file counts) nor lie inside an input folder.
    """
    if is_stdio(path):
        return
    if str(path) == "":
        raise UserError("the output path is empty (is a variable unset?)")
    path = Path(path)
    try:
        mode = path.lstat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        pass  # a new file: its folder is checked next
    else:
        if not stat.S_ISREG(mode):
            raise UserError(f"refusing to replace {path}: it is {_kind(mode)}, "
                            f"not a regular file")
    try:
        check_folder(path.parent)
    except UserError as e:
        raise UserError(f"cannot write {path}: {e}") from None
    _check_not_input(path, inputs)


_HELD = set()   # descriptors of the output locks this process holds


def _release_in_child():
    """A forked child (a training worker) closes its copies of the locks: the lock is the
    run's, and a worker that outlives a killed parent must not keep it held."""
    for fd in _HELD:
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_release_in_child)


@contextmanager
def output_lock(path):
    """Hold PATH.lock while a run writes `path` (and the files beside it): a second run that
    asks for the same lock is refused with a UserError naming the first one's process, rather
    than both finishing and the last writer silently winning.

    The lock is the operating system's (flock), so a run killed even by SIGKILL releases it;
    a lock file left behind is simply taken. The file, which holds the locking process's id,
    is removed on exit."""
    import fcntl  # POSIX; the toolkit's workers need fork anyway

    path = Path(path)
    name = path.name
    if len(os.fsencode(name)) > 250:   # NAME_MAX: the start of the name and a digest
        name = f"{truncate_name(name)}.{hashlib.sha256(os.fsencode(name)).hexdigest()[:16]}"
    lock = path.with_name(f"{name}.lock")
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise UserError(f"another run (process {holder}) is writing {path}: wait for it "
                            f"to end, or choose another output") from None
        try:   # the file may have been removed by the run that held it: lock the one there
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    _HELD.add(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        _HELD.discard(fd)
        try:
            lock.unlink()
        except OSError:
            pass
        os.close(fd)


def check_folder(folder):
    """Raise UserError unless `folder` is an existing folder this process can write in: by
    creating a file there, as permission bits do not tell (root may write anywhere they
    allow, but not in /proc or on a read-only mount)."""
    if not Path(folder).is_dir():
        raise UserError(f"no such folder: {folder}")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as e:   # the reason, but /proc's "No such file or directory" misleads
        reason = "" if isinstance(e, FileNotFoundError) else f": {e.strerror}"
        raise UserError(f"cannot write in folder {folder}{reason}") from None


def ensure_folder(folder):
    """Create `folder` and its parents if need be and check it is writable, so that a job
    does not fail at its very end when it saves its results there. Returns it as a Path."""
    folder = Path(folder)
    if not folder.is_dir():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as e:
            raise UserError(f"cannot make folder {folder}: {e.strerror}") from None
    check_folder(folder)
    return folder


def _kind(mode):
    for test, kind in [(stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"),
                       (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device")]:
        if test(mode):
            return kind
    return "of an unknown kind"


def _identity(path):
    """(device, inode) of `path`, following links; None if it cannot be reached."""
    try:
        s = os.stat(path)
    except OSError:
        return None
    return s.st_dev, s.st_ino


def _check_not_input(path, inputs):
    """Raise UserError if `path` is one of `inputs` or lies inside one of them."""
    target = _identity(path)
    folder = Path(os.path.realpath(path.parent))
    ancestors = {_identity(p) for p in [folder, *folder.parents]}
    for source in inputs:
        if is_stdio(source):
            continue
        identity = _identity(source)
        if identity is None:
            continue  # the reader reports a missing input
        if identity == target:
            raise UserError(f"refusing to overwrite {path}: it is the input {source}")
        if identity in ancestors and Path(source).is_dir():
            raise UserError(f"refusing to write {path} inside the input folder {source}")


def cache_root():
    """Where downloads and tokenized corpora are cached: $NPNLP_CACHE_DIR, else
    $XDG_CACHE_HOME/npnlp, else ~/.cache/npnlp."""
    if os.environ.get("NPNLP_CACHE_DIR"):
        return Path(os.environ["NPNLP_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "npnlp"
