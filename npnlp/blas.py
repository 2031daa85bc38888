"""The cores this process may run on, and sizing the BLAS thread pool of a running
process."""
import ctypes
import os


def cores():
    """The number of cores this process may run on (its CPU affinity, as a container or
    `taskset` sets it), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:   # macOS, Windows
        return os.cpu_count() or 1

SETTERS = ("openblas_set_num_threads", "openblas_set_num_threads64_",
           "scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads")


def limit_blas_threads(n):
    """Give the OpenBLAS libraries this process has loaded (NumPy's, SciPy's) n threads each.

    For forked workers: OPENBLAS_NUM_THREADS is read only when a library loads, so without
    this each of 2 workers runs 2 BLAS threads on 2 cores. CBOW with the exact softmax, all
    matrix products, trained on the synthetic corpus of the tests with 2 workers in 10.5 s,
    and in 0.9 s with one BLAS thread each. Does nothing where the libraries cannot be found
    (no /proc, another BLAS)."""
    try:
        with open("/proc/self/maps") as maps:   # address perms offset dev inode [path]
            paths = {parts[5].rstrip("\n") for parts in (line.split(maxsplit=5) for line in maps)
                     if len(parts) == 6 and "openblas" in parts[5].lower()}
    except OSError:
        return
    for path in paths:
        try:   # RTLD_NOLOAD: the library already loaded, never a second copy
            library = ctypes.CDLL(path, mode=os.RTLD_NOLOAD)
        except OSError:
            continue
        for name in SETTERS:
            if hasattr(library, name):
                getattr(library, name)(n)
                break
