"""The ceiling of subword training in NumPy: summing a step's bags of rows of fastText's
(2 M + V, 100) table, by SciPy's sparse kernel (what `nn.EmbeddingBag` does) and by NumPy's
gather and `add.reduceat`, beside reading the same number of rows in order.

    python bench/subword_rows.py [--bags 2000] [--repeats 50]

Bags of 8-19 random rows, as a step's distinct words and their n-grams. Prints milliseconds
a step and nanoseconds a row: the random rows are each a cache miss, whatever the kernel.
"""
import argparse
import time

import numpy as np

from nn.sparse import csr_matvecs

ROWS, D = 2_000_000 + 71_000, 100     # fastText's buckets + text8-head's vocabulary


def timed(f, ids, repeats):
    f(ids)
    start = time.perf_counter()
    for _ in range(repeats):
        f(ids)
    return (time.perf_counter() - start) / repeats


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bags", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    W = rng.standard_normal((ROWS, D), dtype=np.float32)
    sizes = rng.integers(8, 20, args.bags)
    P, N = int(sizes.sum()), args.bags
    indptr = np.r_[0, np.cumsum(sizes)].astype(np.int64)
    ones = np.ones(P, np.float32)

    def sparse(ids):
        y = np.zeros((N, D), np.float32)
        csr_matvecs(N, ROWS, D, indptr, ids, ones, W.ravel(), y.ravel())
        return y

    def numpy(ids):
        return np.add.reduceat(np.take(W, ids, axis=0), indptr[:-1], axis=0)

    random = rng.integers(0, ROWS, P).astype(np.int64)
    in_order = np.arange(P, dtype=np.int64)
    assert np.allclose(sparse(random), numpy(random), atol=1e-4)
    print(f"{N:,} bags, {P:,} rows of a ({ROWS:,}, {D}) float32 table")
    for name, f, ids in [("SciPy csr_matvecs, random rows", sparse, random),
                         ("NumPy take + add.reduceat, random rows", numpy, random),
                         ("SciPy csr_matvecs, rows in order", sparse, in_order)]:
        seconds = timed(f, ids, args.repeats)
        print(f"{name:<42}{seconds * 1e3:7.2f} ms  {seconds / P * 1e9:5.0f} ns a row")


if __name__ == "__main__":
    main()
