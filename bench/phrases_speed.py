"""Learning phrases: npnlp's corpora.Phrases beside gensim's Phrases, same settings, same
sentences, whole process (interpreter, imports, reading the text, learning, writing the
phrases) and reading and learning alone, seconds and peak memory; and whether the phrases and their
scores are the same.

    python bench/phrases_speed.py [PATH] [--repeat N] [--scoring default|npmi]

PATH defaults to text8-head.txt in $NPNLP_DATA, else in shared/data beside the repository.
It is first rewritten as lines of 10,000 words (a file of one huge line, such as text8, is
what gensim's Text8Corpus cuts so), and both tools read that file: gensim through
LineSentence, npnlp with --whitespace. Every run is a fresh subprocess. gensim is no
dependency of npnlp; run the script with an interpreter that has it (see corpora_speed.py).
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
SETTINGS = {"default": dict(min_count=5, threshold=10.0),
            "npmi": dict(min_count=5, threshold=0.5, scoring="npmi")}


def npnlp(path, out, settings, cache_dir=None):
    from corpora import Phrases, Tokenizer, load_corpus

    corpus = load_corpus(path, Tokenizer(whitespace=True), cache=cache_dir is not None,
                         cache_dir=cache_dir)
    phrases = Phrases(corpus, **settings)
    with open(out, "w") as f:
        json.dump(phrases.phrasegrams, f)
    return len(phrases)


def gensim(path, out, settings):
    from gensim.models.phrases import Phrases
    from gensim.models.word2vec import LineSentence

    phrases = Phrases(LineSentence(str(path)), **settings).freeze()
    with open(out, "w") as f:
        json.dump(phrases.phrasegrams, f)
    return len(phrases.phrasegrams)


IMPORTS = {"npnlp": ["corpora"], "gensim": ["gensim.models.phrases", "gensim.models.word2vec"]}
JOBS = {
    "npnlp": npnlp,
    "npnlp, token cache hit": lambda p, o, s: npnlp(p, o, s, os.environ["BENCH_CACHE_DIR"]),
    "gensim": gensim,
}


def run_job(name, path, out, scoring):
    """One job in this process, its imports done before the clock starts; prints the seconds
    of reading and learning, and the peak memory of the process."""
    for module in IMPORTS[name.split(",")[0]]:
        importlib.import_module(module)
    start = time.perf_counter()
    phrases = JOBS[name](path, out, SETTINGS[scoring])
    print(json.dumps({"learn_seconds": time.perf_counter() - start, "phrases": phrases,
                      "peak_kib": peak_kib()}))


def peak_kib():
    """The peak resident memory of this process since it started (Linux's VmHWM: ru_maxrss
    would count the parent's peak, which a child inherits through exec)."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines()
                        if line.startswith("VmHWM")))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(name, path, out, scoring, cache_dir):
    path_list = [str(REPO), os.environ.get("PYTHONPATH")]
    env = dict(os.environ, BENCH_CACHE_DIR=cache_dir,
               PYTHONPATH=os.pathsep.join(filter(None, path_list)))
    start = time.perf_counter()
    result = subprocess.run([sys.executable, __file__, str(path), "--job", name, "--out", out,
                             "--scoring", scoring], env=env, check=True, capture_output=True,
                            text=True).stdout
    return dict(json.loads(result), seconds=time.perf_counter() - start)


def main():
    data = Path(os.environ.get("NPNLP_DATA") or REPO.parent / "shared" / "data")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=data / "text8-head.txt")
    parser.add_argument("--repeat", type=int, default=3, help="runs per job; the fastest counts")
    parser.add_argument("--scoring", choices=SETTINGS, default="default")
    parser.add_argument("--job", choices=JOBS, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        return run_job(args.job, args.path, args.out, args.scoring)

    names = [n for n in JOBS if n != "gensim" or importlib.util.find_spec("gensim")]
    with tempfile.TemporaryDirectory() as tmp:
        words = args.path.read_text().split()
        lines = Path(tmp, "lines.txt")
        lines.write_text("".join(" ".join(words[i:i + 10_000]) + "\n"
                                 for i in range(0, len(words), 10_000)))
        print(f"{args.path}: {len(words):,} words in lines of 10,000; {SETTINGS[args.scoring]}; "
              f"{os.cpu_count()} CPUs, best of {args.repeat}")
        print(f"{'':26}{'process s':>10}{'reading + learning s':>22}{'peak RSS MB':>13}"
              f"{'phrases':>9}")
        results, cache = {}, Path(tmp, "cache")
        measure("npnlp, token cache hit", lines, os.path.join(tmp, "warm.json"), args.scoring,
                str(cache))                                   # fills the cache
        for name in names:
            out = os.path.join(tmp, f"{name.split(',')[0]}.json")
            runs = [measure(name, lines, out, args.scoring, str(cache))
                    for _ in range(args.repeat)]
            r = results[name] = min(runs, key=lambda run: run["seconds"])
            print(f"{name:26}{r['seconds']:10.2f}{r['learn_seconds']:22.2f}"
                  f"{r['peak_kib'] / 1024:13.0f}{r['phrases']:9,}")
        if "gensim" in results:
            ours = json.loads(Path(tmp, "npnlp.json").read_text())
            theirs = json.loads(Path(tmp, "gensim.json").read_text())
            worst = max((abs(ours[p] - s) / abs(s) for p, s in theirs.items() if p in ours),
                        default=0.0)
            print(f"same phrases as gensim: {ours.keys() == theirs.keys()}; largest relative "
                  f"score difference {worst:.1e}")
            g = results["gensim"]
            for name in names[:2]:
                r = results[name]
                print(f"{name} vs gensim: {g['seconds'] / r['seconds']:.1f}x the speed of the "
                      f"whole process, {g['learn_seconds'] / r['learn_seconds']:.1f}x of reading "
                      f"and learning; {r['peak_kib'] / g['peak_kib']:.2f}x the peak memory")


if __name__ == "__main__":
    main()
