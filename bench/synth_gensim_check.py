"""Check that gensim's word2vec recovers the analogies planted in the synthetic corpus.

Trains skip-gram with negative sampling on the default `corpora synth` output and prints the
analogy accuracy per section and a few nearest neighbours. Needs gensim (not a dependency of
the toolkit); run from the repository root:

    python bench/synth_gensim_check.py [--epochs 5] [--dim 50] [--seed 0]
"""
import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpora import synth  # noqa: E402

QUERIES = [
    (["king", "woman"], ["man"]),
    (["berlin", "france"], ["germany"]),
    (["ate", "walk"], ["eat"]),
    (["queen"], []),
    (["paris"], []),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--dim", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    try:
        from gensim.models import Word2Vec
        from gensim.models.word2vec import LineSentence
    except ImportError:
        sys.exit("gensim is not installed; this check needs it (pip install gensim)")

    with tempfile.TemporaryDirectory() as tmp:
        corpus, questions = Path(tmp) / "synth.txt", Path(tmp) / "analogies.txt"
        start = time.perf_counter()
        synth.write(corpus, seed=args.seed)
        generated = time.perf_counter() - start
        synth.write_analogies(questions)
        n_tokens = sum(len(line.split()) for line in corpus.open())
        print(f"corpus: {corpus.stat().st_size / 1e6:.2f} MB, {n_tokens:,} tokens, "
              f"generated in {generated:.2f} s")

        start = time.perf_counter()
        model = Word2Vec(LineSentence(str(corpus)), vector_size=args.dim, window=5, sg=1,
                         negative=5, min_count=5, epochs=args.epochs, workers=2, seed=args.seed)
        print(f"gensim skip-gram, dim {args.dim}, {args.epochs} epochs: "
              f"{time.perf_counter() - start:.1f} s")
        overall, sections = model.wv.evaluate_word_analogies(str(questions))

    for section in sections:
        correct, incorrect = len(section["correct"]), len(section["incorrect"])
        print(f"  {section['section']:<16} {correct / (correct + incorrect):6.1%} "
              f"({correct}/{correct + incorrect})")
    for positive, negative in QUERIES:
        best = model.wv.most_similar(positive=positive, negative=negative, topn=3)
        query = " + ".join(positive) + "".join(f" - {word}" for word in negative)
        print(f"  {query:<24} {', '.join(f'{word} {score:.2f}' for word, score in best)}")


if __name__ == "__main__":
    main()
