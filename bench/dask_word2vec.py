"""word2vec on a Dask cluster: the blocked rotation (`wordvec train --dask`) beside the single
machine and beside Spark MLlib's scheme (each worker trains its own copy of the whole model on
its part of the corpus, the copies averaged after every epoch), at K = 1, 2, 4 workers.

    python bench/dask_word2vec.py [--corpus text8-head.txt] [--epochs 5] [--seeds 1,2,3]
                                  [--workers 1,2,4] [--cbow]

Settings: wordvec's defaults (dim 100, window 5, negative 5, min-count 5, sample 1e-3).
Printed per run: analogy accuracy (questions-words.txt, restrict_vocab 30,000), WordSim-353
Spearman, and for the cluster runs where the time went: the wall time of the epochs, the
workers' training seconds (summed over workers), the rounds, and the time left over
(scheduling, bucketing, transfers) beside the bytes each epoch moves. Every cluster is a
LocalCluster of K worker processes of 1 thread on this machine; with more workers than
cores they take turns, so the figures show correctness and overhead, not speed-up.
"""
import argparse
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from corpora import Tokenizer
from corpora.cluster import connect
from wordvec.batches import block_size, blocks, keep_probabilities
from wordvec.cluster import (
    PARTS_PER_WORKER,
    ClusterTimes,
    Spread,
    _parts,
    bucket_part,
    train_bucket,
    train_on_cluster,
)
from wordvec.config import TrainConfig
from wordvec.model import Word2VecNet
from wordvec.run import prepare
from wordvec.train import train, widest_window

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def quality(kv):
    return (kv.evaluate_word_analogies(DATA / "questions-words.txt", restrict_vocab=30_000)[0],
            kv.evaluate_word_pairs(DATA / "wordsim353.tsv", restrict_vocab=30_000)[1][0])


def averaged(client, model, ids, offsets):
    """Spark MLlib's scheme on the same cluster and kernel: each of the K workers trains a
    copy of both whole tables on its K-th of the corpus (the learning rate falling over the
    epoch as on one machine), then the copies are averaged."""
    config = model.config
    workers = sorted(client.scheduler_info()["workers"])
    K = len(workers)
    cut = blocks(offsets, block_tokens=block_size(offsets))
    parts = _parts(ids, cut, 16 * K)
    shares = [parts[k::K] for k in range(K)]
    keep = keep_probabilities(model.counts, config.sample)
    window = widest_window(config, offsets)
    step = replace(config, workers=1).step_size(len(model.words), model.rows_per_centre)
    N, total = len(ids), config.epochs * len(ids)
    for epoch in range(config.epochs):
        tables = [client.scatter((model.input.W.data, model.output.W.data), workers=[w],
                                 hash=False) for w in workers]
        runs = []
        for k, w in enumerate(workers):
            pieces = [client.submit(_one_bucket, p, keep, window, config.seed, epoch,
                                    workers=[w], pure=False) for p in shares[k]]
            runs.append(client.submit(_train_copy, config, tables[k], model.counts, pieces,
                                      step, [epoch * N, (epoch + 1) * N], total,
                                      [config.seed, epoch, k], workers=[w], pure=False))
        results = client.gather(runs)
        model.input.W.data[...] = np.mean([r[0] for r in results], axis=0)
        model.output.W.data[...] = np.mean([r[1] for r in results], axis=0)


def _one_bucket(part, keep, window, seed, epoch):
    return bucket_part(part, keep, window, seed, epoch, 1)[0]


def _train_copy(config, tables, counts, pieces, step, words, total, seed):
    return train_bucket(config, tables[0], tables[1], counts, pieces, step, words, total, seed)


def moved_per_epoch(V, D, K, pairs):
    """Bytes an epoch of the rotation moves between processes, about: the tables out and
    back (2 x 2 V D float32); in each of its PARTS_PER_WORKER slices every output block
    passed on K times and both tables copied to a second worker (V D each); the buckets'
    windows (context ids and mask, about 9 bytes a pair)."""
    if K == 1:
        return 0
    return 4 * V * D * (4 + PARTS_PER_WORKER * (K + 2)) + 9 * pairs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=str(DATA / "text8-head.txt"))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--cbow", action="store_true")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    base = TrainConfig(sg=not args.cbow, epochs=args.epochs)
    words, counts, ids, offsets = prepare(args.corpus, base, Tokenizer(whitespace=True))
    V, D = len(words), base.dim
    print(f"{args.corpus}: {len(ids):,} tokens, {V:,} words, {args.epochs} epochs, "
          f"{'CBOW' if args.cbow else 'skip-gram'} with negative sampling")
    rows = []
    for seed in seeds:
        config = replace(base, seed=seed)
        model = Word2VecNet(config, words, counts)
        start = time.perf_counter()
        train(model, ids, offsets)
        rows.append(("one machine", 1, seed, *quality(model.wv), time.perf_counter() - start,
                     None, None))
        print(*rows[-1][:5], flush=True)
    for K in [int(k) for k in args.workers.split(",")]:
        with connect(f"local:{K}") as client:
            for seed in seeds:
                config = replace(base, seed=seed)
                model, times = Word2VecNet(config, words, counts), ClusterTimes()
                state = train_on_cluster(client, model, Spread.scatter(client, ids, offsets),
                                         times=times)
                pairs = int(np.mean(state.epoch_pairs))
                rows.append(("rotation", K, seed, *quality(model.wv), times.wall, times,
                             pairs))
                print(*rows[-1][:5], flush=True)
                if K > 1:
                    model = Word2VecNet(config, words, counts)
                    start = time.perf_counter()
                    averaged(client, model, ids, offsets)
                    rows.append(("averaged", K, seed, *quality(model.wv),
                                 time.perf_counter() - start, None, None))
                    print(*rows[-1][:5], flush=True)
    print("\n| scheme | K | analogy | WS-353 | seconds |")
    print("| --- | ---: | --- | --- | --- |")
    for scheme in ("one machine", "rotation", "averaged"):
        for K in sorted({r[1] for r in rows if r[0] == scheme}):
            cell = [r for r in rows if r[0] == scheme and r[1] == K]
            span = [f"{min(c):.3f}-{max(c):.3f}" for c in zip(*[r[3:6] for r in cell])]
            print(f"| {scheme} | {K} | {span[0]} | {span[1]} | "
                  f"{np.mean([r[5] for r in cell]):.1f} |")
    print("\n| K | wall s/epoch | training s/epoch (all workers) | rounds/epoch | left over "
          "s/epoch (ms/round) | MB moved per epoch |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for K in sorted({r[1] for r in rows if r[0] == "rotation"}):
        cell = [r for r in rows if r[0] == "rotation" and r[1] == K]
        wall = np.mean([r[6].wall for r in cell]) / args.epochs
        busy = np.mean([r[6].training for r in cell]) / args.epochs
        rounds = cell[0][6].rounds / args.epochs
        # K workers on this machine's 2 cores: their training fills at most min(K, 2) cores
        left = wall - busy / min(K, 2)
        print(f"| {K} | {wall:.2f} | {busy:.2f} | {rounds:.0f} | {left:.2f} "
              f"({1000 * left / rounds:.0f}) | {moved_per_epoch(V, D, K, cell[0][7]) / 1e6:.0f} |")


if __name__ == "__main__":
    main()
