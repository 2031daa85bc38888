"""Subword (fastText) vectors: wordvec --subwords beside gensim's FastText, same corpus and
settings, one job at a time, each in its own process.

    python bench/subwords.py [--corpus text8-head.txt] [--epochs 5] [--workers 2] [--sg 1]

Settings: dim 100, window 5, negative 5, min-count 5, sample 1e-3, n-grams of 3 to 6
characters in 2,000,000 buckets. Printed per tool: words/s (corpus tokens x epochs /
training seconds, the vocabulary, n-gram ids and table set-up excluded for both), the set-up
seconds, analogy accuracy (questions-words.txt, restrict_vocab 30,000) over the syntactic
(gram*) and the semantic sections, WordSim-353 Spearman, and how well unseen words do: one
WordSim-353 word in four is deleted from the corpus both tools train on, and the pairs with
such a word are scored with its vector built from n-grams (Spearman, "unseen pairs").
gensim is optional.
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SETTINGS = dict(dim=100, window=5, negative=5, min_count=5, sample=1e-3, minn=3, maxn=6,
                buckets=2_000_000)


def ours(args):
    from corpora import Tokenizer
    from wordvec.config import TrainConfig
    from wordvec.model import Word2VecNet
    from wordvec.run import prepare
    from wordvec.train import train

    config = TrainConfig(sg=bool(args.sg), subwords=True, epochs=args.epochs,
                         workers=args.workers, seed=args.seed, **SETTINGS)
    words, counts, ids, offsets = prepare(args.train_on, config, Tokenizer(whitespace=True))
    start = time.perf_counter()
    model = Word2VecNet(config, words, counts)
    setup = time.perf_counter() - start
    start = time.perf_counter()
    train(model, ids, offsets)
    seconds = time.perf_counter() - start
    return seconds, setup, len(ids) * args.epochs, quality(model.wv, args)


def gensim(args):
    from gensim.models import FastText
    from gensim.models.word2vec import Text8Corpus

    s = SETTINGS
    model = FastText(vector_size=s["dim"], window=s["window"], negative=s["negative"],
                     min_count=s["min_count"], sample=s["sample"], min_n=s["minn"],
                     max_n=s["maxn"], bucket=s["buckets"], sg=args.sg, workers=args.workers,
                     seed=args.seed, alpha=0.025 if args.sg else 0.05)
    corpus = Text8Corpus(args.train_on)
    start = time.perf_counter()
    model.build_vocab(corpus)
    setup = time.perf_counter() - start
    start = time.perf_counter()
    model.train(corpus, total_examples=model.corpus_count, epochs=args.epochs)
    seconds = time.perf_counter() - start
    return seconds, setup, model.corpus_total_words * args.epochs, quality(model.wv, args)


def ws353_lines():
    return [line for line in (DATA / "wordsim353.tsv").read_text().lower().splitlines()
            if line.strip() and not line.startswith("#")]


def held_out_words():
    """One WordSim-353 word in four (sorted), deleted from the training corpus."""
    words = sorted({w for line in ws353_lines() for w in line.split("\t")[:2]})
    return set(words[::4])


def quality(kv, args):
    """(syntactic analogy, semantic analogy, WS-353, Spearman of the WS-353 pairs with an
    unseen word, their number), by the same gensim-named calls for both tools."""
    from scipy.stats import spearmanr

    _, sections = kv.evaluate_word_analogies(DATA / "questions-words.txt",
                                             restrict_vocab=30_000)
    def accuracy(keep):
        chosen = [s for s in sections[:-1] if keep(s["section"])]
        right = sum(len(s["correct"]) for s in chosen)
        return right / max(1, right + sum(len(s["incorrect"]) for s in chosen))

    held, gold, model = held_out_words(), [], []
    for line in ws353_lines():
        a, b, score = line.split("\t")[:3]
        if (a in held or b in held) and all(w in held or w in kv.key_to_index for w in (a, b)):
            gold.append(float(score))
            model.append(kv.similarity(a, b))
    return (accuracy(lambda name: name.startswith("gram")),
            accuracy(lambda name: not name.startswith("gram")),
            kv.evaluate_word_pairs(DATA / "wordsim353.tsv", restrict_vocab=30_000)[1][0],
            float(spearmanr(gold, model)[0]), len(gold))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=str(DATA / "text8-head.txt"))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sg", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", choices=["ours", "gensim"], help=argparse.SUPPRESS)
    parser.add_argument("--train-on", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        seconds, setup, words, figures = {"ours": ours, "gensim": gensim}[args.child](args)
        print(json.dumps([words / seconds, setup, *figures]))
        return
    print(f"{args.corpus}, {'skip-gram' if args.sg else 'CBOW'}, {args.epochs} epochs, "
          f"{args.workers} workers, {SETTINGS}")
    print(f"{'':8}{'words/s':>10}{'set-up s':>10}{'syntactic':>11}{'semantic':>10}"
          f"{'WS-353':>8}{'unseen pairs':>14}")
    held = held_out_words()
    train_on = Path(tempfile.mkdtemp()) / "held-out.txt"
    train_on.write_text(" ".join(w for w in Path(args.corpus).read_text().split()
                                 if w not in held))
    rates = {}
    for tool in ("ours", "gensim"):
        command = [sys.executable, __file__, "--child", tool, "--corpus", args.corpus,
                   "--train-on", str(train_on),
                   "--epochs", str(args.epochs), "--workers", str(args.workers),
                   "--sg", str(args.sg), "--seed", str(args.seed)]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode:
            print(f"{tool:8}failed: {result.stderr.strip().splitlines()[-1]}")
            continue
        rate, setup, syn, sem, ws, unseen, pairs = json.loads(result.stdout.splitlines()[-1])
        rates[tool] = rate
        print(f"{tool:8}{rate:10,.0f}{setup:10.1f}{syn:11.4f}{sem:10.4f}{ws:8.3f}"
              f"{unseen:9.3f} ({pairs})")
    if len(rates) == 2:
        print(f"speed: {rates['ours'] / rates['gensim']:.2f}x gensim's")


if __name__ == "__main__":
    main()
