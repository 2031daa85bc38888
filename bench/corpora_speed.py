"""Speed and peak memory of tokenizing, counting and encoding a corpus: npnlp's corpora
beside gensim's Text8Corpus + Word2Vec.build_vocab and Dictionary, on the same file.

    python bench/corpora_speed.py [PATH] [--repeat N]

PATH defaults to text8-head.txt in $NPNLP_DATA, else in shared/data beside the
repository. Every measurement runs in a fresh subprocess, so its peak resident memory
(ru_maxrss) is its own. gensim is no dependency of npnlp; to include it, run the script
with an interpreter that has it:

    python -m venv /tmp/benchenv && /tmp/benchenv/bin/pip install gensim numpy scipy tqdm click
    PYTHONPATH=. /tmp/benchenv/bin/python bench/corpora_speed.py
"""
import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def npnlp(path, tokenizer, cache_dir=None):
    """Tokenize, count (min_count 5, as gensim's default) and encode to int32 ids."""
    from corpora.corpus import load_corpus
    from corpora.tokenize import Tokenizer
    from corpora.vocab import Vocab

    corpus = load_corpus(path, Tokenizer(**tokenizer), cache=cache_dir is not None,
                         cache_dir=cache_dir)
    vocab = Vocab.from_counts(corpus.types, corpus.counts, min_count=5)
    return corpus.encode(vocab).ids.size


def gensim_build_vocab(path):
    """Count and prune (min_count 5) the way Word2Vec training starts; no encoding."""
    from gensim.models.word2vec import Text8Corpus, Word2Vec

    model = Word2Vec(min_count=5)
    model.build_vocab(Text8Corpus(str(path)))
    return int(sum(model.wv.get_vecattr(w, "count") for w in model.wv.index_to_key))


def gensim_dictionary(path):
    """Count every token into a gensim Dictionary; no encoding."""
    from gensim.corpora import Dictionary
    from gensim.models.word2vec import Text8Corpus

    return int(Dictionary(Text8Corpus(str(path))).num_pos)


JOBS = {
    "npnlp whitespace": lambda path: npnlp(path, {"whitespace": True}),
    "npnlp words, lowercase": lambda path: npnlp(path, {"lowercase": True}),
    "npnlp whitespace, cache hit": lambda path: npnlp(path, {"whitespace": True},
                                                      os.environ["BENCH_CACHE_DIR"]),
    "gensim Word2Vec.build_vocab": gensim_build_vocab,
    "gensim Dictionary": gensim_dictionary,
}
IMPORTS = {"npnlp": ["corpora.corpus"], "gensim": ["gensim.models.word2vec", "gensim.corpora"]}


def run_job(name, path):
    """Run one job in this process, its imports done before the clock starts; print its
    figures as JSON."""
    for module in IMPORTS[name.split()[0]]:
        importlib.import_module(module)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    tokens = JOBS[name](path)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "tokens": tokens, "peak_kib": peak,
                      "before_kib": before}))


def measure(name, path, cache_dir):
    """The figures of one job, run in a fresh interpreter."""
    env = dict(os.environ, BENCH_CACHE_DIR=cache_dir,
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    out = subprocess.run([sys.executable, __file__, str(path), "--job", name], env=env,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    data = Path(os.environ.get("NPNLP_DATA") or REPO.parent / "shared" / "data")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=data / "text8-head.txt")
    parser.add_argument("--repeat", type=int, default=3, help="runs per job; the fastest counts")
    parser.add_argument("--job", choices=JOBS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        return run_job(args.job, args.path)

    names = [n for n in JOBS if not n.startswith("gensim") or importlib.util.find_spec("gensim")]
    megabytes = args.path.stat().st_size / 1e6
    print(f"{args.path} ({megabytes:.1f} MB), {os.cpu_count()} CPUs, Python "
          f"{sys.version.split()[0]}, best of {args.repeat}")
    print(f"{'':30}{'seconds':>9}{'MB/s':>8}{'peak RSS MB':>13}{'(imported)':>12}{'tokens':>13}")
    results = {}
    with tempfile.TemporaryDirectory() as cache_dir:
        measure("npnlp whitespace, cache hit", args.path, cache_dir)  # fills the cache
        for name in names:
            runs = [measure(name, args.path, cache_dir) for _ in range(args.repeat)]
            r = results[name] = min(runs, key=lambda run: run["seconds"])
            print(f"{name:30}{r['seconds']:9.2f}{megabytes / r['seconds']:8.1f}"
                  f"{r['peak_kib'] / 1024:13.0f}{r['before_kib'] / 1024:12.0f}{r['tokens']:13,}")
    if "gensim Word2Vec.build_vocab" in results:
        ours, theirs = results["npnlp whitespace"], results["gensim Word2Vec.build_vocab"]
        print(f"npnlp whitespace vs gensim build_vocab: "
              f"{theirs['seconds'] / ours['seconds']:.1f}x the speed, "
              f"{ours['peak_kib'] / theirs['peak_kib']:.2f}x the peak memory")


if __name__ == "__main__":
    main()
