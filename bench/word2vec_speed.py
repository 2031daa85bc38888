"""word2vec training: wordvec beside gensim on the same corpus and settings, one job at a time.

    python bench/word2vec_speed.py [--corpus text8-head.txt] [--epochs 5] [--workers 2]

For skip-gram and CBOW, each with negative sampling, with hierarchical softmax and with both
at once (gensim's hs=1, negative=5), dim 100, window 5, min-count 5, sample 1e-3: words/s
(corpus tokens x epochs / training seconds, vocabulary building excluded for both), peak
memory, analogy accuracy (questions-words.txt, restrict_vocab 30,000) and WordSim-353
Spearman. Then the exact softmax on the first --softmax-tokens tokens: words/s, and the
GFLOP/s of its three matrix products against a plain matmul of the same shapes. Every job
runs in its own process; gensim is optional.
"""
import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
JOBS = {"sg-ns": dict(sg=True, loss="negative"), "cbow-ns": dict(sg=False, loss="negative"),
        "sg-hs": dict(sg=True, loss="hierarchical"), "cbow-hs": dict(sg=False, loss="hierarchical"),
        "sg-both": dict(sg=True, loss="hierarchical+negative"),
        "cbow-both": dict(sg=False, loss="hierarchical+negative")}
SETTINGS = dict(dim=100, window=5, min_count=5, sample=1e-3)


def ours(args, job):
    from corpora import Tokenizer
    from wordvec.config import TrainConfig
    from wordvec.model import Word2VecNet
    from wordvec.run import prepare
    from wordvec.train import train

    config = TrainConfig(**JOBS[job], **SETTINGS, epochs=args.epochs, workers=args.workers,
                         batch=args.batch, seed=args.seed)
    words, counts, ids, offsets = prepare(args.corpus, config, Tokenizer(whitespace=True))
    model = Word2VecNet(config, words, counts)
    start = time.perf_counter()
    train(model, ids, offsets)
    seconds, rss = time.perf_counter() - start, peak_mb()
    return seconds, len(ids) * args.epochs, (*quality(model.wv, args), rss)


def gensim(args, job):
    from gensim.models import Word2Vec

    from wordvec import KeyedVectors

    lines = [line.split() for line in Path(args.corpus).read_text().splitlines()]
    sentences = [s[i:i + 10_000] for s in lines for i in range(0, len(s), 10_000)]   # as ours
    settings = JOBS[job]
    model = Word2Vec(vector_size=SETTINGS["dim"], window=SETTINGS["window"],
                     min_count=SETTINGS["min_count"], sample=SETTINGS["sample"],
                     sg=int(settings["sg"]), hs=int("hierarchical" in settings["loss"]),
                     negative=5 if "negative" in settings["loss"] else 0,
                     workers=args.workers, seed=args.seed)
    model.build_vocab(sentences)
    start = time.perf_counter()
    model.train(sentences, total_examples=len(sentences), epochs=args.epochs)
    seconds, rss = time.perf_counter() - start, peak_mb()
    ours = KeyedVectors.from_vectors(model.wv.index_to_key, model.wv.vectors)   # scored by both too
    if args.score_with_ours:
        return seconds, model.corpus_total_words * args.epochs, (*quality(ours, args), rss)
    return seconds, model.corpus_total_words * args.epochs, (*quality(model.wv, args), rss,
                                                             *quality(ours, args))


def peak_mb():
    """Peak resident memory of this process so far, in MB, taken at the end of training
    (the evaluation that follows is left out). wordvec's forked workers share its tables;
    each adds its own step buffers (tens of MB), not counted here."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def quality(kv, args):
    """Analogy accuracy and WordSim-353 Spearman, by the same gensim calls for both tools,
    and with --neighbour A,B the rank of B among A's neighbours (0: the nearest)."""
    analogies, pairs = DATA / "questions-words.txt", DATA / "wordsim353.tsv"
    rank = float("nan")
    if args.neighbour:
        a, b = args.neighbour.split(",")
        rank = [w for w, _ in kv.most_similar(a, topn=len(kv.index_to_key))].index(b)
    return (kv.evaluate_word_analogies(analogies, restrict_vocab=30_000)[0],
            kv.evaluate_word_pairs(pairs, restrict_vocab=30_000)[1][0], rank)


def softmax(args, _):
    """Skip-gram with the exact softmax on the first tokens, and the GFLOP/s reached."""
    import numpy as np

    from corpora import Tokenizer
    from wordvec.config import TrainConfig
    from wordvec.model import Word2VecNet
    from wordvec.run import prepare
    from wordvec.train import train

    config = TrainConfig(sg=True, loss="softmax", **SETTINGS, epochs=1, batch=200)
    words, counts, ids, offsets = prepare(args.corpus, config, Tokenizer(whitespace=True))
    n = min(args.softmax_tokens, len(ids))
    ids, offsets = ids[:n], np.array([0, n])
    model = Word2VecNet(config, words, counts)
    pairs = []
    backprop = model.backprop
    model.backprop = lambda step, rng: pairs.append(backprop(step, rng)) or pairs[-1]
    start = time.perf_counter()
    train(model, ids, offsets)
    seconds = time.perf_counter() - start
    V, D = len(words), config.dim
    flops = 6 * sum(p for _, p in pairs) * V * D   # logits, and the gradients of W and h
    h = np.random.default_rng(0).standard_normal((4096, D)).astype(np.float32)
    W = np.random.default_rng(1).standard_normal((V, D)).astype(np.float32)
    start = time.perf_counter()
    for _ in range(10):
        g = h @ W.T
        g.T @ h
        g @ W
    plain = 10 * 6 * 4096 * V * D / (time.perf_counter() - start)
    return seconds, n, (flops / seconds / 1e9, plain / 1e9, V)


def run_job(args, name, job):
    """Run `name`(args, job) in a fresh process; its figures, or None if it failed."""
    command = [sys.executable, __file__, "--child", name, "--job", job, "--corpus", args.corpus,
               "--epochs", str(args.epochs), "--workers", str(args.workers),
               "--softmax-tokens", str(args.softmax_tokens), "--seed", str(args.seed),
               *(["--batch", str(args.batch)] if args.batch else []),
               *(["--neighbour", args.neighbour] if args.neighbour else []),
               *(["--score-with-ours"] if args.score_with_ours else [])]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        print(f"  ({name} {job} failed: {result.stderr.strip().splitlines()[-1]})")
        return None
    return json.loads(result.stdout.splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=str(DATA / "text8-head.txt"))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--jobs", default=",".join(JOBS))
    parser.add_argument("--softmax-tokens", type=int, default=100_000,
                        help="0 skips the exact-softmax job")
    parser.add_argument("--batch", type=int, help="wordvec's centre words per step "
                        "(default: wordvec's own)")
    parser.add_argument("--seed", type=int, default=1, help="of both tools")
    parser.add_argument("--tools", default="ours,gensim", help="ours, gensim or both")
    parser.add_argument("--neighbour", metavar="A,B", help="also report the rank of B among "
                        "A's neighbours (gensim's test on its Lee corpus: war,terrorism)")
    parser.add_argument("--score-with-ours", action="store_true", help="score gensim's "
                        "vectors with wordvec's evaluation only (gensim's is slower)")
    parser.add_argument("--child")
    parser.add_argument("--job")
    args = parser.parse_args()
    if args.child:
        seconds, words, figures = globals()[args.child](args, args.job)
        print(json.dumps({"seconds": seconds, "words": words, "figures": figures,
                          "rss": peak_mb()}))
        return

    print(f"{args.corpus}, {args.epochs} epochs, {args.workers} workers each")
    print(f"{'job':<11}{'tool':<9}{'words/s':>11}{'ratio':>7}{'peak MB':>9}{'analogy':>9}"
          f"{'WS-353':>8}")
    for job in args.jobs.split(","):
        runs = {name: run_job(args, name, job) for name in args.tools.split(",")}
        for name, r in runs.items():
            if r is None:
                continue
            rate = r["words"] / r["seconds"]
            ratio = rate / (runs["gensim"]["words"] / runs["gensim"]["seconds"]) \
                if runs.get("gensim") else float("nan")
            analogy, spearman, _, rss = r["figures"][:4]
            print(f"{job:<11}{'wordvec' if name == 'ours' else name:<9}{rate:>11,.0f}"
                  f"{ratio:>7.2f}{rss:>9,.0f}{analogy:>9.4f}{spearman:>8.3f}")
            if name == "gensim":
                print(f"{'':<11}gensim's vectors scored by wordvec's evaluation: analogy "
                      f"{r['figures'][4]:.4f}, WS-353 {r['figures'][5]:.3f}")
    r = run_job(args, "softmax", "softmax") if args.softmax_tokens else None
    if r:
        achieved, plain, V = r["figures"]
        print(f"exact softmax, skip-gram, V = {V:,}: {r['words'] / r['seconds']:,.0f} words/s, "
              f"{achieved:.0f} GFLOP/s in its matrix products against {plain:.0f} for a plain "
              f"matmul of the same shapes ({achieved / plain:.0%})")


if __name__ == "__main__":
    main()
