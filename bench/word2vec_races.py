"""word2vec's default steps with as many workers as a large machine has cores, replayed here.

    python bench/word2vec_races.py [--corpora lee,shakespeare,text8] [--workers 1,2,8,16,32,64]

A 2-core machine cannot race 16 workers as 16 cores do: its workers take turns, and most
steps run alone. `wordvec.lockstep` replays the race of K workers on K cores in one process
(each step's gradient taken from weights that miss the steps of the other workers still
busy) and deterministically, so this trains the objectives (bench/word2vec_speed.py's jobs)
at their defaults (dim 100, window 5, min-count 5, sample 1e-3, 5 negatives) with each
worker count on bench/word2vec_grid.py's three corpora, and prints for each the
step and row cap the defaults chose, the final loss, analogy accuracy, WordSim-353 Spearman
and (Lee) the rank of "terrorism" among the neighbours of "war", means over the seeds, or
how many runs diverged. Training time is one core's, not a figure of speed.
"""
import argparse
import math
import tempfile

from word2vec_grid import CORPORA
from word2vec_speed import JOBS, SETTINGS, quality

from corpora import Tokenizer
from npnlp.training import Diverged
from wordvec.config import TrainConfig
from wordvec.lockstep import train_lockstep
from wordvec.model import Word2VecNet
from wordvec.run import prepare


def run(corpus, job, workers, epochs, seed, neighbour):
    """(step, row cap, final loss, analogy, WS-353, rank), or None if it diverged."""
    config = TrainConfig(**JOBS[job], **SETTINGS, epochs=epochs, workers=workers, seed=seed)
    words, counts, ids, offsets = prepare(str(corpus), config, Tokenizer(whitespace=True))
    model = Word2VecNet(config, words, counts)
    try:
        state = train_lockstep(model, ids, offsets)
    except Diverged:
        return None
    step = config.step_size(len(words), model.rows_per_centre)
    figures = quality(model.wv, argparse.Namespace(neighbour=neighbour))
    return step, config.row_cap(), state.epoch_loss[-1], *figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", default=",".join(CORPORA))
    parser.add_argument("--jobs", default=",".join(JOBS))
    parser.add_argument("--workers", default="1,2,8,16,32,64")
    parser.add_argument("--seeds", type=int, help="instead of each corpus's own number")
    args = parser.parse_args()

    print(f"{'corpus':<12}{'job':<9}{'workers':>7}{'step':>6}{'cap':>5}{'loss':>8}"
          f"{'analogy':>9}{'WS-353':>8}  ranks", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        for name in args.corpora.split(","):
            make, epochs, seeds, neighbour = CORPORA[name]
            corpus = make(folder)
            if corpus is None:
                print(f"{name}: not available (gensim or the shared data missing)")
                continue
            for job in args.jobs.split(","):
                for workers in map(int, args.workers.split(",")):
                    runs = [run(corpus, job, workers, epochs, seed, neighbour)
                            for seed in range(1, (args.seeds or seeds) + 1)]
                    done = [r for r in runs if r is not None]
                    head = f"{name:<12}{job:<9}{workers:>7}"
                    lost = len(runs) - len(done)
                    failed = f"  ({lost} diverged)" if lost else ""
                    if not done:
                        print(f"{head}  diverged{failed}", flush=True)
                        continue
                    step, cap = done[0][:2]
                    loss, analogy, spearman = (sum(r[i] for r in done) / len(done)
                                               for i in (2, 3, 4))
                    ranks = " ".join("-" if math.isnan(r[5]) else str(int(r[5])) for r in done)
                    print(f"{head}{step:>6}{cap:>5}{loss:>8.4f}{analogy:>9.4f}{spearman:>8.3f}"
                          f"  {ranks}{failed}", flush=True)


if __name__ == "__main__":
    main()
