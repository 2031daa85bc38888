"""Forward + backward time of nn's recurrent cells against PyTorch's, same shapes, one process.

    python bench/rnn_speed.py [--batch 50] [--steps 50] [--input 64] [--hidden 256]

PyTorch is optional (a benchmark-only dependency): without it only our figures print.
"""
import argparse
import time

import numpy as np

import nn


def best_time(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def ours(cell_name, N, T, D, H):
    cell = getattr(nn, cell_name)(D, H, rng=0)
    x = np.random.default_rng(0).standard_normal((T, N, D)).astype(np.float32)
    dhs = np.ones((T, N, H), np.float32)

    def run():
        hs, _, cache = cell.forward(x)
        cell.backward(dhs, cache)

    return run


def theirs(cell_name, N, T, D, H):
    import torch

    cell = getattr(torch.nn, cell_name)(D, H)          # time first, as ours
    x = torch.randn(T, N, D, requires_grad=True)

    def run():
        hs, _ = cell(x)
        hs.sum().backward()

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--input", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    N, T, D, H = args.batch, args.steps, args.input, args.hidden
    try:
        import torch
        torch_version = torch.__version__
    except ImportError:
        torch_version = None

    print(f"N={N} T={T} D={D} H={H}, float32, forward+backward, best of {args.repeats}")
    print(f"{'cell':5} {'nn ms':>8} {'nn steps/s':>11} {'torch ms':>9} {'torch/nn':>9}")
    for name in ("RNN", "LSTM", "GRU"):
        t_ours = best_time(ours(name, N, T, D, H), args.repeats)
        line = f"{name:5} {1e3 * t_ours:8.1f} {N * T / t_ours:11,.0f}"
        if torch_version:
            t_theirs = best_time(theirs(name, N, T, D, H), args.repeats)
            line += f" {1e3 * t_theirs:9.1f} {t_theirs / t_ours:9.2f}"
        print(line)
    if torch_version:
        print(f"torch {torch_version}, {torch.get_num_threads()} threads; "
              "torch/nn < 1 means torch is faster")


if __name__ == "__main__":
    main()
