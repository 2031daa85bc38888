"""The settings of a word2vec training run: one dataclass that checks itself and is saved
with the model (and with every checkpoint, so that `--resume` continues the same run)."""
from dataclasses import dataclass

from npnlp.blas import cores
from npnlp.errors import UserError, check_count
from npnlp.settings import Saved

LOSSES = ("negative", "hierarchical", "softmax", "hierarchical+negative")
# The centres of the steps in flight (one a worker) update rows of both tables at once, each
# from weights that miss the others' updates: their row updates stay at most IN_FLIGHT per
# row on average, and while the row cap allows, ROW_IN_FLIGHT examples' worth on any one
# row: half the least that diverged in K workers' races replayed by wordvec.lockstep
# (docs/performance.md, "How big a step is" and "Many workers").
IN_FLIGHT = 1.9
ROW_IN_FLIGHT = {"negative": 128, "hierarchical": 256, "hierarchical+negative": 128}
MAX_ROW_REPEATS = 32   # per step, see nn.scatter_add: a guard against local bursts of a word
MIN_ROW_REPEATS = 8    # CBOW's noise groups: one noise draw is 8 examples (model.py)
SOFTMAX_IN_FLIGHT = 500
# Only a floor against empty steps: 16 overrode the bound (3 centres) for skip-gram with both
# objectives at 64 workers and diverged in the replay; 4 trained it (docs/performance.md).
MIN_STEP = 4


@dataclass(frozen=True)
class TrainConfig(Saved):
    """word2vec's settings, under word2vec.c's names and defaults where it has them.

    sg: skip-gram (predict each context word's centre from it) or CBOW (predict the centre
        from the mean or sum of its context, `cbow_mean`).
    loss: "negative" sampling, "hierarchical" softmax, the exact "softmax", or
        "hierarchical+negative": both of the first two at once, each with its own output
        table, their gradients summed into the input rows (word2vec.c's -hs 1 -negative 5).
    alpha: starting learning rate (default 0.025 for skip-gram, 0.05 for CBOW, as
        word2vec.c, but gensim's 0.025 for CBOW with hierarchical softmax, alone or with
        negative sampling: 0.05 cost each analogy points, docs/performance.md "CBOW with
        hierarchical softmax: gensim's learning rate" and bench/README.md); it falls
        linearly over all epochs to `min_alpha` (alpha * 1e-4).
    ns_exponent: noise words are drawn with probability proportional to count **
        ns_exponent (0.75, word2vec.c's; 0 draws uniformly, below 0 favours rare words).
    sample: subsampling threshold of frequent words (0 keeps every word).
    batch: centre words per update step; by default chosen by `step_size` from the
        vocabulary, the objective and the workers. A step's updates are summed, and a row
        updated by more than `row_cap()` examples in a step takes that many
        times their mean (the exact softmax's output rows are not capped), so frequent
        words learn less per step than in word2vec.c's one-pair-at-a-time SGD.
    subwords: fastText's model (`wordvec.subwords`): a word's input vector is the mean of
        its own row and of its character n-grams' (minn to maxn characters, hashed into
        `buckets` rows), so that unseen words get vectors too. maxn 0: plain word2vec.
    workers: processes training at once, 0 for one per core (Hogwild: their updates race,
        so only a run with one worker is reproducible, which is why 1 is the default).
    """

    sg: bool = True
    cbow_mean: bool = True
    loss: str = "negative"
    dim: int = 100
    window: int = 5
    negative: int = 5
    ns_exponent: float = 0.75
    sample: float = 1e-3
    min_count: int = 5
    max_vocab: int | None = None
    epochs: int = 5
    alpha: float | None = None
    min_alpha: float | None = None
    seed: int = 1
    batch: int | None = None
    workers: int = 1
    subwords: bool = False
    minn: int = 3
    maxn: int = 6
    buckets: int = 2_000_000

    @property
    def negative_sampling(self):
        return self.loss in ("negative", "hierarchical+negative")

    @property
    def hierarchical(self):
        return self.loss in ("hierarchical", "hierarchical+negative")

    def step_size(self, V, rows_per_centre):
        """Centre words per update step: `batch`, else the objective's default cut so that
        the rows of both tables the centres in flight update (one step per worker, a centre
        updating `rows_per_centre` rows) are at most IN_FLIGHT x 2 V, at least MIN_STEP, and
        cut further where the row cap cannot keep a row's updates in flight within
        ROW_IN_FLIGHT (`row_cap`). The exact softmax updates every output row for every
        centre: its bound is SOFTMAX_IN_FLIGHT centres.

        The default shrinks with the row cap, so that a frequent row keeps the share of its
        updates (cap / step) that one worker's steps keep: replayed on text8-head, one
        worker with the cap of 8 workers scored analogies well below (skip-gram with
        negative sampling .058 against .065, seed 1; CBOW with both objectives .056 against
        .063, seed 2), and CBOW with both at 8 workers .061 in steps of 480, .064 in steps
        of 350 (seeds 1-3; one worker .065)."""
        if self.batch is not None:
            return self.batch
        if self.loss == "softmax":
            return max(MIN_STEP, min(250, SOFTMAX_IN_FLIGHT // self.workers))
        default = (700 if self.hierarchical else 1000 if self.sg else 3000) * \
            self.row_cap() / MAX_ROW_REPEATS
        in_flight = IN_FLIGHT * 2 * V / (self.workers * rows_per_centre)
        over = self.workers * self.row_cap() / ROW_IN_FLIGHT[self.loss]
        return max(MIN_STEP, int(min(default, in_flight) / max(1, over)))

    def row_cap(self):
        """The most examples a row's update sums in one step (more are scaled down to this
        many times their mean): MAX_ROW_REPEATS, cut so that the workers' steps in flight
        give a row at most ROW_IN_FLIGHT examples' worth, but not below MIN_ROW_REPEATS.
        Past that floor a frequent row takes workers x MIN_ROW_REPEATS, and `step_size`
        cuts the step by the factor left over, which bounds the rarer rows (replayed: 32
        and 64 workers train). The exact softmax's output table is dense and its steps
        small: it keeps MAX_ROW_REPEATS for its input rows."""
        if self.loss == "softmax":
            return MAX_ROW_REPEATS
        share = ROW_IN_FLIGHT[self.loss] // self.workers
        return min(MAX_ROW_REPEATS, max(MIN_ROW_REPEATS, share))

    def __post_init__(self):
        if self.loss not in LOSSES:
            raise UserError(f"loss must be one of {', '.join(LOSSES)}, not {self.loss!r}")
        for name in ("dim", "window", "min_count", "epochs"):
            check_count(name, getattr(self, name))
        check_count("workers", self.workers, minimum=0)
        if self.workers == 0:
            object.__setattr__(self, "workers", cores())
        if self.batch is not None:
            check_count("batch", self.batch)
        if self.negative_sampling and self.negative < 1:
            raise UserError("negative sampling needs --negative 1 or more (word2vec.c's "
                            "-negative 0 -hs 1 is --loss hierarchical)")
        check_count("negative", self.negative, minimum=0)
        check_count("seed", self.seed, minimum=0)
        if self.max_vocab is not None:
            check_count("max_vocab", self.max_vocab)
        check_count("minn", self.minn)
        check_count("maxn", self.maxn, minimum=0)
        check_count("buckets", self.buckets)
        if self.subwords and self.maxn and self.maxn < self.minn:
            raise UserError(f"maxn {self.maxn} is below minn {self.minn} (maxn 0: no n-grams)")
        if self.subwords and self.loss == "softmax":
            raise UserError("subwords train with --loss negative or hierarchical")
        if not -10 <= self.ns_exponent <= 10:
            raise UserError(f"ns_exponent must be in [-10, 10], not {self.ns_exponent}")
        if not 0 <= self.sample < 1:
            raise UserError(f"sample must be in [0, 1), not {self.sample}")
        if self.alpha is None:
            cbow_hs = not self.sg and self.hierarchical
            object.__setattr__(self, "alpha", 0.025 if self.sg or cbow_hs else 0.05)
        if self.min_alpha is None:
            object.__setattr__(self, "min_alpha", self.alpha * 1e-4)
        if not 0 < self.alpha < 10 or not 0 <= self.min_alpha <= self.alpha:
            raise UserError(f"need 0 < alpha < 10 and 0 <= min_alpha <= alpha, not alpha "
                            f"{self.alpha} and min_alpha {self.min_alpha}")
