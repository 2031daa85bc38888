"""Memory: what a run may have (checked before it allocates), and keeping freed memory in
the process, for training loops that allocate and free the same large arrays at every
step."""
import ctypes
import ctypes.util
import os

from npnlp.errors import UserError

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3


def keep_freed_memory(pad=256 << 20):
    """Ask glibc to keep up to `pad` bytes of freed memory for reuse instead of returning it
    to the system, and to serve blocks of up to 32 MB from its heap.

    By default glibc maps a block of a few MB on allocation and unmaps it when freed, so a
    step that allocates the same arrays again faults every 4 kB page in anew: training
    word2vec on the synthetic corpus spent 3.2 s of 7.6 in the kernel that way, 0.1 s of 4.5
    after this call. Does nothing where the C library is not glibc.
    """
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c")).mallopt
    except (OSError, AttributeError, TypeError):
        return
    mallopt(M_MMAP_THRESHOLD, 32 << 20)
    mallopt(M_TOP_PAD, pad)
    mallopt(M_TRIM_THRESHOLD, 2 * pad)


def available():
    """Bytes of memory a new run can have now: the kernel's MemAvailable (free memory and
    reclaimable caches), else the physical memory; None where neither is known."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_fits(needed, what):
    """Raise UserError, before anything is allocated, when `needed` bytes (an estimate of
    what `what` will allocate) exceed the memory available: better than NumPy's
    _ArrayMemoryError minutes into a run."""
    free = available()
    if free is not None and needed > free:
        raise UserError(f"{what} needs about {_size(needed)} of memory, more than the "
                        f"{_size(free)} available on this machine")


def _size(n):
    return f"{n / 2**30:,.1f} GiB" if n >= 2**30 else f"{n / 2**20:,.0f} MiB"
