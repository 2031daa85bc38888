"""Loading and querying word vectors: wordvec beside gensim, same file, one process.

    python bench/vectors_speed.py [--words 100000] [--dim 300] [--questions questions-words.txt]

Writes a word2vec.c binary file of random vectors whose first words are those of the analogy
questions (so the evaluation answers every question), then times, best of --repeat runs:
reading the raw bytes, loading, one most_similar, 1,000 most_similar calls (and, for wordvec,
the same 1,000 queries as one batch), and the full analogy evaluation (restrict_vocab 30,000).
gensim is optional: without it only our figures print.
"""
import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from wordvec import KeyedVectors, evaluate_word_analogies

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "questions-words.txt"


def best_of(repeat, fn):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def write_file(path, n_words, dim, questions):
    words = []
    if questions.is_file():
        seen = set()
        for line in questions.read_text().splitlines():
            if not line.startswith(":"):
                words += [w for w in line.split() if not (w in seen or seen.add(w))]
    words += [f"word{i}" for i in range(n_words - len(words))]
    vectors = np.random.default_rng(0).standard_normal((n_words, dim)).astype("<f4")
    with open(path, "wb") as f:
        f.write(f"{n_words} {dim}\n".encode())
        for w, v in zip(words, vectors):
            f.write(w.encode() + b" " + v.tobytes() + b"\n")
    return words


def measure(name, load, questions, query_words, repeat):
    kv = load()
    figures = {"load": best_of(repeat, load)}
    figures["most_similar x1"] = best_of(4 * repeat, lambda: kv.most_similar(query_words[0]))
    figures["most_similar x1000"] = best_of(
        max(1, repeat // 2), lambda: [kv.most_similar(w) for w in query_words])
    if isinstance(kv, KeyedVectors):
        batch = kv[query_words]
        figures["1000 queries, one batch"] = best_of(
            repeat, lambda: kv.similar_by_vector(batch, topn=11))
        evaluate = lambda: evaluate_word_analogies(kv, questions, 30_000)  # noqa: E731
    else:
        evaluate = lambda: kv.evaluate_word_analogies(questions, 30_000)  # noqa: E731
    if questions.is_file():
        figures["analogy evaluation"] = best_of(1, evaluate)
    return name, figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--questions", type=Path, default=DATA)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vectors.bin"
        words = write_file(path, args.words, args.dim, args.questions)
        query_words = words[:1000]
        print(f"{args.words:,} x {args.dim} binary file, {os.path.getsize(path) / 1e6:.0f} MB")
        raw = best_of(args.repeat, lambda: path.read_bytes())
        print(f"{'read the raw bytes':<28}{raw:>10.3f} s")
        runs = [measure("wordvec", lambda: KeyedVectors.load_word2vec_format(path),
                        args.questions, query_words, args.repeat)]
        try:
            from gensim.models import KeyedVectors as GensimVectors
        except ImportError:
            print("(gensim not installed: its column is left out)")
        else:
            runs.append(measure("gensim",
                                lambda: GensimVectors.load_word2vec_format(path, binary=True),
                                args.questions, query_words, args.repeat))
    print(f"{'':<28}" + "".join(f"{name:>12}" for name, _ in runs)
          + ("     gensim / wordvec" if len(runs) == 2 else ""))
    for job in runs[0][1]:
        cells = [figures.get(job) for _, figures in runs]
        line = f"{job:<28}" + "".join(f"{c:>10.3f} s" if c else f"{'-':>12}" for c in cells)
        if len(cells) == 2 and all(cells):
            line += f"{cells[1] / cells[0]:>15.1f}x"
        print(line)
    print(f"wordvec load / raw read: {runs[0][1]['load'] / raw:.2f}x")


if __name__ == "__main__":
    main()
