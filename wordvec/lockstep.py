"""Hogwild's races replayed in one process: how a run with K workers on K cores updates its
weights, deterministically and on any machine.

On K cores, K workers take steps side by side: while one computes its step, each of the
others finishes one, so every step's gradient comes from weights that miss the K - 1 steps
before it. `train_lockstep` applies each step's update that many steps late, which is that
race at its steady state. A machine with fewer cores than workers cannot show it: there the
workers take turns, most steps run alone, and steps that diverge on 16 cores train
(docs/performance.md, "Many workers"). The default step and row cap
(`TrainConfig.step_size`, `row_cap`) were checked with it up to 64 workers
(bench/word2vec_races.py).
"""
from collections import deque

import numpy as np

import nn
from npnlp.training import Diverged, exploded
from wordvec.train import TrainState, _Run


def train_lockstep(model, ids, offsets):
    """Train `model` (a Word2VecNet) as its `config.workers` workers would on as many cores:
    the blocks dealt out in turn, and each step's update applied once every other busy
    worker has taken a step's gradient without it (the last ones of an epoch run fewer
    side by side, and an epoch ends when all are done, as in `train`). Raises Diverged as
    `train` does; returns the final TrainState."""
    config = model.config
    run, state = _Run(model, ids, offsets), TrainState()
    params = dict(model.named_parameters())
    opt = nn.SGD(params, lr=config.alpha, max_row_repeats=config.row_cap())
    with np.errstate(over="ignore", invalid="ignore"):   # a diverging loss is checked
        for epoch in range(config.epochs):
            workers = [_steps(run, range(w, run.n_blocks, config.workers), epoch)
                       for w in range(config.workers)]
            late, loss_sum, pairs_sum = deque(), 0.0, 0
            for busy, (step, rng, words) in _in_turn(workers):
                if step is None:                          # a block without a step
                    state.words += words
                    continue
                while len(late) >= busy:
                    _apply(params, late.popleft())
                opt.lr = run.alpha(state.words)
                opt.zero_grad()
                loss, pairs = model.backprop(step, rng)
                if exploded(loss, model.untrained_loss * pairs):
                    raise Diverged(f"the training loss became {loss / max(pairs, 1):.4g} per "
                                   f"prediction in epoch {epoch + 1} (learning rate "
                                   f"{opt.lr:.3g})", run.divergence_advice())
                late.append(_update(opt, params))
                state.words += words
                loss_sum, pairs_sum = loss_sum + loss, pairs_sum + pairs
            while late:
                _apply(params, late.popleft())
            state.epoch_loss.append(loss_sum / max(pairs_sum, 1))
            state.epoch_pairs.append(pairs_sum)
            state.epoch += 1
    return state


def _steps(run, blocks, epoch):
    """One worker's steps, (windows, generator, words) each; a block without a step is
    (None, generator, its words)."""
    for b in blocks:
        rng, steps, shares, words = run.block_steps(b, epoch)
        yield from ((step, rng, share) for step, share in zip(steps, shares))
        if not shares:
            yield None, rng, words


def _in_turn(workers):
    """Each worker's next step in turn, with how many workers are still busy."""
    while workers:
        taken = [(w, next(w, None)) for w in workers]
        workers = [w for w, step in taken if step is not None]
        for _, step in taken:
            if step is not None:
                yield len(workers), step


def _update(opt, params):
    """What `opt.step()` would add to each table, as (rows, values), the tables untouched."""
    tables = {name: p.data for name, p in params.items()}
    for p in params.values():
        p.data = np.zeros(p.data.shape, p.data.dtype)   # calloc: only the rows written are touched
    opt.step()
    update = {}
    for name, p in params.items():
        rows = np.unique(p.grad.entries().rows) if p.sparse else slice(None)
        update[name], p.data = (rows, p.data[rows]), tables[name]
    return update


def _apply(params, update):
    for name, (rows, values) in update.items():
        params[name].data[rows] += values
