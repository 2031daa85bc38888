"""word2vec at every corpus size and worker count: wordvec beside gensim, default settings.

    python bench/word2vec_grid.py [--corpora lee,shakespeare,text8] [--workers 1,2,4,8,16]

Trains {skip-gram, CBOW} x {negative sampling, hierarchical softmax, both at once} with
each tool's defaults (dim 100, window 5, min-count 5, sample 1e-3, 5 negatives) on three
corpus sizes:

- lee: gensim's Lee corpus (lee_background.cor, 58 k tokens, 300 documents, read as gensim's
  tests read it), 10 epochs, 3 seeds; also the rank of "terrorism" among the neighbours of
  "war", gensim's own sanity check (it asks for a rank below 50). Needs gensim.
- shakespeare: tiny Shakespeare (200 k tokens, one line a sentence, lowercased words),
  10 epochs, 3 seeds.
- text8: the text8 head (2.2 M tokens), 5 epochs, 1 seed.

Both tools' vectors are scored by wordvec's evaluation (bench/word2vec_speed.py shows it
gives gensim's figures). Each cell prints words/s, analogy accuracy and WordSim-353
Spearman (questions and pairs out of the vocabulary left out: on the small corpora few
remain, so read those columns as relative) as the mean over the seeds, and the neighbour
rank for each seed. A run that fails (diverges) prints its error. One job runs at a time,
each in its own process (bench/word2vec_speed.py's); on a machine with fewer cores than
workers, the workers take turns, and most steps run alone: bench/word2vec_races.py replays
the races of as many cores.
"""
import argparse
import math
import tempfile
from pathlib import Path

from word2vec_speed import DATA, JOBS, run_job


def lee_corpus(folder):
    """gensim's Lee corpus tokenized as its tests do (utils.simple_preprocess per line)."""
    try:
        import gensim
        from gensim.utils import simple_preprocess
    except ImportError:
        return None
    source = Path(gensim.__file__).parent / "test" / "test_data" / "lee_background.cor"
    path = Path(folder) / "lee.txt"
    lines = [" ".join(simple_preprocess(line)) for line in source.open(encoding="utf8")]
    path.write_text("\n".join(lines) + "\n")
    return path


def shakespeare_corpus(folder):
    """Tiny Shakespeare, one line a sentence, lowercased words without punctuation (wordvec's
    tokenizer), written out so that both tools read the same tokens."""
    from corpora import Tokenizer

    source = DATA / "tinyshakespeare.txt"
    if not source.exists():
        return None
    tokenizer = Tokenizer(lowercase=True)
    lines = (" ".join(tokenizer.tokenize(line)) for line in source.open(encoding="utf8"))
    path = Path(folder) / "shakespeare.txt"
    path.write_text("\n".join(line for line in lines if line) + "\n")
    return path


def text8_corpus(folder):
    path = DATA / "text8-head.txt"
    return path if path.exists() else None


CORPORA = {"lee": (lee_corpus, 10, 3, "war,terrorism"),
           "shakespeare": (shakespeare_corpus, 10, 3, None),
           "text8": (text8_corpus, 5, 1, None)}


def cell(corpus, epochs, seeds, neighbour, tool, job, workers, batch):
    """Mean words/s, analogy and WS-353 over the seeds, the ranks, and the failures."""
    runs, failed = [], 0
    for seed in range(1, seeds + 1):
        args = argparse.Namespace(corpus=str(corpus), epochs=epochs, workers=workers,
                                  softmax_tokens=0, seed=seed, batch=batch,
                                  neighbour=neighbour, score_with_ours=True)
        r = run_job(args, tool, job)
        if r is None:
            failed += 1
        else:
            runs.append(r)
    if not runs:
        return None, failed
    mean = lambda xs: sum(xs) / len(xs)   # noqa: E731
    rate = mean([r["words"] / r["seconds"] for r in runs])
    analogy, spearman = (mean([r["figures"][i] for r in runs]) for i in (0, 1))
    ranks = [r["figures"][2] for r in runs]
    return (rate, analogy, spearman, ranks), failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", default=",".join(CORPORA))
    parser.add_argument("--jobs", default=",".join(JOBS))
    parser.add_argument("--workers", default="1,2,4,8,16")
    parser.add_argument("--tools", default="ours,gensim")
    parser.add_argument("--seeds", type=int, help="instead of each corpus's own number")
    parser.add_argument("--batch", type=int, help="wordvec's centre words per step")
    args = parser.parse_args()

    print(f"{'corpus':<12}{'job':<9}{'workers':>7}  {'tool':<8}{'words/s':>10}{'analogy':>9}"
          f"{'WS-353':>8}  ranks", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        for name in args.corpora.split(","):
            make, epochs, seeds, neighbour = CORPORA[name]
            corpus = make(folder)
            if corpus is None:
                print(f"{name}: not available (gensim or the shared data missing)")
                continue
            for job in args.jobs.split(","):
                for workers in map(int, args.workers.split(",")):
                    for tool in args.tools.split(","):
                        result, failed = cell(corpus, epochs, args.seeds or seeds, neighbour,
                                              tool, job, workers, args.batch)
                        label = "wordvec" if tool == "ours" else tool
                        head = f"{name:<12}{job:<9}{workers:>7}  {label:<8}"
                        fails = f"  ({failed} failed)" if failed else ""
                        if result is None:
                            print(f"{head}{'failed':>10}{fails}", flush=True)
                            continue
                        rate, analogy, spearman, ranks = result
                        ranks = " ".join("-" if math.isnan(r) else str(int(r)) for r in ranks)
                        print(f"{head}{rate:>10,.0f}{analogy:>9.4f}{spearman:>8.3f}  "
                              f"{ranks}{fails}", flush=True)


if __name__ == "__main__":
    main()
