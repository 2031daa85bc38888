"""The word2vec network on `nn`'s pieces: an input Embedding (the word vectors, word2vec.c's
syn0), an OutputEmbedding (syn1neg for negative sampling and the exact softmax; syn1, one
row per inner node of the Huffman tree, for hierarchical softmax; with both objectives at
once, syn1neg is `output` and syn1 `hs_output`), and the losses.

Skip-gram predicts each centre word from every context word of its window; the window's
context words share the centre's output rows (its negatives or its Huffman path, Ji et al.
2016), so a whole step scores as one batched matrix product. CBOW predicts the centre from
the mean (or sum) of its context; as in word2vec.c and gensim, every context word receives
the full gradient of that mean; with negative sampling, groups of centres share their noise
words as skip-gram's context words do.
"""
import numpy as np
from scipy.sparse import csr_matrix

import nn
from wordvec.batches import draw, noise_distribution
from wordvec.huffman import huffman_tree
from wordvec.subwords import Subwords
from wordvec.vectors import FastTextKeyedVectors, KeyedVectors

PATH_GROUPS = 3      # skip-gram's steps with hierarchical softmax, in groups by path length,
GROUP_CENTRES = 200  # each of at least this many centres (see _paths_backprop)
NOISE_GROUP = 8            # CBOW centres that share their noise words, see _cbow_negative
SOFTMAX_LOGITS = 1 << 23   # logits computed at once by the exact softmax: 32 MB of float32


class Word2VecNet(nn.Module):
    """config: a TrainConfig; words, counts: the vocabulary, most frequent first."""

    def __init__(self, config, words, counts, dtype=np.float32):
        rng = np.random.default_rng(config.seed)
        V, D = len(words), config.dim
        self.config, self.words, self.counts = config, list(words), np.asarray(counts)
        self.subwords = Subwords.of(self.words, config.minn, config.maxn, config.buckets) \
            if config.subwords and config.maxn else None
        if self.subwords is not None:
            self._rows_per_word = np.diff(self.subwords.indptr).astype(dtype)
        # word2vec.c: input rows U(-0.5/D, 0.5/D), output rows 0; CBOW sums bags of them.
        # fastText: U(-1/D, 1/D), words and n-grams in one table, a word the mean of its rows
        if self.subwords is None:
            Input = nn.Embedding if config.sg else nn.EmbeddingBag
            self.input = Input(V, D, scale=0.5 / D, rng=rng, dtype=dtype)
        else:
            self.input = nn.EmbeddingBag(V + config.buckets, D, scale=1 / D, rng=rng,
                                         dtype=dtype)
        self.output = nn.OutputEmbedding(V - 1 if config.loss == "hierarchical" else V, D,
                                         dtype=dtype)
        if config.loss == "hierarchical+negative":
            self.hs_output = nn.OutputEmbedding(V - 1, D, dtype=dtype)
        self._tree = huffman_tree(self.counts) if config.hierarchical else None
        self._noise = (noise_distribution(self.counts, config.ns_exponent)
                       if config.negative_sampling else None)

    @property
    def paths_output(self):
        """The table of the Huffman tree's inner nodes (syn1), or None."""
        return getattr(self, "hs_output", self.output) if self._tree is not None else None

    def __repr__(self):
        c = self.config
        kind = "skip-gram" if c.sg else "cbow-mean" if c.cbow_mean else "cbow-sum"
        loss = c.loss.replace("+", ", ").replace("negative", f"negative={c.negative}")
        ngrams = "" if self.subwords is None else f", minn={c.minn}, maxn={c.maxn}"
        both = c.loss == "hierarchical+negative"
        hs = f", hs_output={self.hs_output!r}" if both else ""
        return (f"Word2VecNet({kind}, {loss}, window={c.window}{ngrams}, "
                f"input={self.input!r}, output={self.output!r}{hs})")

    @property
    def untrained_loss(self):
        """An upper bound of the mean loss per prediction before training (output table 0,
        every score 0): ln 2 per logistic term, ln V for the exact softmax."""
        if self.config.loss == "softmax":
            return float(np.log(len(self.words)))
        terms = (0 if self._noise is None else 1 + self.config.negative) + \
            (0 if self._tree is None else int(self._tree.lengths.max()))
        return terms * float(np.log(2))

    @property
    def rows_per_centre(self):
        """About how many rows of the two tables a centre word's update touches: its
        context words (window + 1 on average, as word2vec.c draws each centre's width from
        1..window) and the output rows of each prediction (the centre and its noise words,
        or its Huffman path, of mean length weighted by the words' counts)."""
        input_rows = 1.0 if self.subwords is None else float(
            np.dot(self.counts, np.diff(self.subwords.indptr)) / self.counts.sum())
        out = 0.0 if self._noise is None else 1.0 + self.config.negative
        if self._tree is not None:
            out += float(np.dot(self.counts, self._tree.lengths) / self.counts.sum())
        return rows_per_centre(self.config, out, input_rows)

    @property
    def wv(self):
        """The word vectors, as a KeyedVectors sharing this model's memory (its word index
        built at the first lookup, not at every access); with subwords, a
        FastTextKeyedVectors of the words' means and the n-gram rows (shared)."""
        if self.subwords is not None:
            V, c = len(self.words), self.config
            return FastTextKeyedVectors.from_vectors(
                self.words, self.subwords.word_vectors(self.input.W.data), self.counts,
                lazy=True).with_ngrams(self.input.W.data[V:], c.minn, c.maxn)
        kv = KeyedVectors.from_vectors(self.words, self.input.W.data, self.counts, lazy=True)
        kv.vectors_lockf = self.input.W.lr_scale    # the same array: set either, train both
        return kv

    def _lookup(self, ids, mask=None):
        """The input vectors of word `ids`, (*ids.shape, D), zero where `mask` is False."""
        if self.subwords is None:
            return self.input.forward(ids, mask)
        words = ids.ravel() if mask is None else ids[mask]
        y, cache = self._sum_bags(words, np.arange(len(words)))
        if mask is None:
            return y.reshape(*ids.shape, -1), (cache, None)
        x = np.zeros((*ids.shape, y.shape[1]), y.dtype)
        x[mask] = y
        return x, (cache, mask)

    def _lookup_backward(self, dx, cache):
        if self.subwords is None:
            return self.input.backward(dx, cache)
        cache, mask = cache
        return self._sum_bags_backward(dx.reshape(-1, dx.shape[-1]) if mask is None else
                                       dx[mask], cache)

    def _sum_bags(self, ids, offsets):
        """The sum of the input vectors of each bag of word `ids` starting at `offsets`.
        With subwords, the vector of each distinct word is built once (the mean of its rows)
        and the bags sum those: a word is a context of up to 2 x window centres of a step."""
        if self.subwords is None:
            return self.input.forward(ids, offsets)
        words, inverse = np.unique(ids, return_inverse=True)
        bags = csr_matrix((np.ones(len(ids), self.input.W.data.dtype), inverse.ravel(),
                           np.r_[offsets, len(ids)]), shape=(len(offsets), len(words)))
        x, cache = self.input.forward(*self.subwords.bags(words),
                                      counts=np.bincount(inverse.ravel(), minlength=len(words)))
        return bags @ x, (bags, cache, self._rows_per_word[words])

    def _sum_bags_backward(self, dh, cache):
        """With subwords, fastText's update rather than the mean's gradient: each row of a
        word takes the gradient of the word's vector whole, not divided by its number of
        rows (fastText divides only in supervised mode; gensim does the same): with the
        mean's true gradient the n-gram rows barely move (docs/performance.md)."""
        if self.subwords is None:
            return self.input.backward(dh, cache)
        bags, cache, sizes = cache
        dx = bags.T @ dh
        dx *= sizes[:, None]
        return self.input.backward(np.ascontiguousarray(dx), cache)

    def backprop(self, windows, rng):
        """Forward and backward over a step's `batches.Windows`, gradients added into the
        parameters. Returns (summed loss, number of predictions: (context, centre) pairs for
        skip-gram, centres for CBOW).

        What it computes is word2vec.c's per-pair update, summed over the step (then applied
        by SGD at rate alpha, a row's sum capped at `config.row_cap()` examples). For one
        skip-gram pair (context word c, centre word w) with negative sampling, syn0 = input.W
        and syn1neg = output.W:

            h, dh = syn0[c], 0
            for t, label in [(w, 1)] + [(n, 0) for n in noise]:   # noise: `negative` draws
                g = label - sigmoid(h @ syn1neg[t])                # minus d loss / d score
                dh += g * syn1neg[t]
                syn1neg[t] += alpha * g * h
            syn0[c] += alpha * dh

        Hierarchical softmax walks w's Huffman path instead (t: its inner nodes, label:
        1 - the code's bit), and both objectives at once do both, dh summed (syn1neg and syn1
        apart); CBOW uses h = the mean (or sum) of syn0 over the window and adds
        dh to each context row; the exact softmax scores every word. Here a window's context
        words share the centre's noise words (CBOW's centres share them in groups of
        NOISE_GROUP), and skip-gram scores each window as a zero-padded (n, 2 window, D)
        block, the padding masked out of loss and updates. tests/test_wordvec_train.py runs
        this loop beside a step.
        """
        centres, contexts, mask = windows
        if self.config.sg and self._tree is not None and self._noise is None \
                and _path_groups(len(centres)) > 1:
            # in order of path length, so that _paths_backprop's groups are slices
            order = np.argsort(self._tree.lengths[centres], kind="stable")
            centres, contexts, mask = centres[order], contexts[order], mask[order]
        if not self.config.sg:
            return self._cbow_backprop(centres, contexts, mask, rng)
        if self.config.loss == "softmax":                              # pair by pair
            x, cache = self._lookup(contexts[mask])                    # (P, D)
            loss, dx = self._output_backprop(x, np.repeat(centres, mask.sum(axis=1)), None, rng)
            self._lookup_backward(dx, cache)
            return loss, len(x)
        x, cache = self._lookup(contexts, mask)                        # (n, 2 window, D)
        loss, dh = self._output_backprop(x, centres, mask, rng)
        self._lookup_backward(dh, cache)
        return loss, int(mask.sum())

    def _cbow_backprop(self, centres, contexts, mask, rng):
        """CBOW: each centre from the sum (or mean) of its context words."""
        n = len(centres)
        if self._noise is not None:
            members, contexts, mask = _noise_groups(centres, contexts, mask, NOISE_GROUP)
        count = mask.sum(axis=1)
        h, cache = self._sum_bags(contexts[mask], np.r_[0, np.cumsum(count[:-1])])
        if self.config.cbow_mean:
            h *= (1 / np.maximum(count, 1)).astype(h.dtype)[:, None]
        if self._noise is None:
            loss, dh = self._output_backprop(h, centres, None, rng)
        else:
            loss, dh = self._cbow_negative(h, members, rng)
        if self._noise is not None and self._tree is not None:   # both: the same centres'
            real = np.flatnonzero(members.ravel() >= 0)            # paths, in group order
            paths_loss, dh_paths = self._paths_backprop(h[real], members.ravel()[real], None)
            loss += paths_loss
            dh[real] += dh_paths
        self._sum_bags_backward(dh, cache)        # word2vec.c: no division by the count
        return loss, n

    def _cbow_negative(self, h, members, rng):
        """CBOW with negative sampling, the centres in groups (`_noise_groups`) that share one
        draw of `negative` noise words: each member scored against its own word and the
        group's noise words, as one batched product over the rows of the group.
        h: (G g, D), the groups one after another;  members: (G, g) centres, -1 padding.

        Groups of 8 gather 13 output rows per 8 centres instead of 48 at the same scores.
        The per-row cap of the update (`config.row_cap()`) counts a noise word once per
        centre it was scored against; counted once per group, frequent noise words took 8
        times larger steps and small corpora collapsed (docs/performance.md).
        """
        G, g = members.shape
        # a padding member's own row is row 0, scored but masked: a zero-gradient entry
        rows = np.concatenate([np.maximum(members, 0), self.draw_noise(rng, G)], axis=1)
        scores, cache = self.output.forward(h.reshape(G, g, -1), rows)   # (G, g, g + noise)
        own = np.eye(g, rows.shape[1], dtype=bool)          # member j's own word is row j
        noise = rows[:, None, :] != members[:, :, None]    # a noise word equal to the centre
        noise[:, :, :g] = False                            # is skipped, as in word2vec.c
        valid = (own | noise) & (members >= 0)[:, :, None]
        loss, ds = nn.logistic_loss(scores, np.broadcast_to(own, scores.shape), mask=valid,
                                    reduction="sum")
        dh = self.output.backward(ds, cache, counts=valid.sum(axis=1))
        return loss, dh.reshape(G * g, -1)

    def replay_draws(self, windows, rng):
        """Draw what `backprop` of these windows draws, without training: a resumed run
        skips the steps done and must leave `rng` where an uninterrupted run's would be."""
        if self._noise is not None:
            n = len(windows.centres)
            self.draw_noise(rng, n if self.config.sg else -(-n // NOISE_GROUP))

    def draw_noise(self, rng, n):
        """n draws of `negative` noise words, from the unigram^0.75 distribution: (n, negative)."""
        return draw(self._noise, rng, (n, self.config.negative))

    def _output_backprop(self, h, centres, window_mask, rng):
        """The loss of predicting `centres` from `h`, and its gradient with respect to h:
        with both objectives, the sums of negative sampling's and hierarchical softmax's."""
        if self._noise is None and self._tree is None:     # the exact softmax, in slices of
            # rows, so that the (rows, V) logits stay small
            rows = max(1, SOFTMAX_LOGITS // self.output.W.data.shape[0])
            loss, dh = 0.0, np.empty_like(h)
            for i in range(0, len(h), rows):
                logits, cache = self.output.forward(h[i:i + rows])
                part, dlogits = nn.softmax_cross_entropy(logits, centres[i:i + rows],
                                                         reduction="sum")
                loss += part
                dh[i:i + rows] = self.output.backward(dlogits, cache)
            return loss, dh
        if self._noise is None:
            return self._paths_backprop(h, centres, window_mask)
        loss, dh = self._negative_backprop(h, centres, window_mask, rng)
        if self._tree is not None:
            paths_loss, dh_paths = self._paths_backprop(h, centres, window_mask)
            loss += paths_loss
            dh += dh_paths
        return loss, dh

    def _negative_backprop(self, h, centres, window_mask, rng):
        """Negative sampling: each centre against itself and `negative` noise words."""
        rows = np.concatenate([centres[:, None], self.draw_noise(rng, len(centres))], 1)
        labels = np.zeros(rows.shape, h.dtype)
        labels[:, 0] = 1
        valid = rows != centres[:, None]                       # a noise word equal to the
        valid[:, 0] = True                                     # centre is skipped, word2vec.c
        scores, cache = self.output.forward(h, rows)
        counts = valid
        if scores.ndim == 3:                                   # skip-gram: a window per row
            # the per-row cap counts each context word a window scores, not the window once
            # (docs/performance.md, "CBOW's noise groups")
            counts = valid * window_mask.sum(axis=1)[:, None]
            labels = np.broadcast_to(labels[:, None, :], scores.shape)
            valid = valid[:, None, :] & window_mask[:, :, None]
        loss, dscores = nn.logistic_loss(scores, labels, mask=valid, reduction="sum")
        return loss, self.output.backward(dscores, cache, counts=counts)

    def _paths_backprop(self, h, centres, window_mask):
        """Hierarchical softmax: each centre's Huffman path scored, padded to the longest
        path of its group. Skip-gram's centres, each a matrix product over its window, go in
        up to PATH_GROUPS groups of similar path lengths and at least GROUP_CENTRES centres
        (a shorter step: one group; one group padded to the step's longest spends about half
        its work on padding, but a group costs a few dozen NumPy calls); CBOW's in one, where
        those calls cost more than its padding (text8-head, one worker: 12% faster than three
        groups, where skip-gram is slower with one at steps of 700 centres, but 5-30% faster
        at 350 and fewer: docs/performance.md). Centres in order of path length make the
        groups slices of h, not copies: `backprop` sorts skip-gram's long steps so before
        their lookup, but for both objectives at once, whose noise words are drawn in the
        step's order; unsorted centres are sorted here (a copy), dh returned unsorted."""
        tree, table = self._tree, self.paths_output
        lengths = tree.lengths[centres]
        groups = 1 if window_mask is None else _path_groups(len(centres))
        if groups > 1 and (lengths[1:] < lengths[:-1]).any():
            order = np.argsort(lengths, kind="stable")
            loss, dh_sorted = self._paths_backprop(h[order], centres[order],
                                                   window_mask[order])
            dh = np.empty_like(dh_sorted)
            dh[order] = dh_sorted
            return loss, dh
        bounds = np.arange(groups + 1) * len(centres) // groups
        widths = None if window_mask is None else window_mask.sum(axis=1)
        loss, dh = 0.0, np.empty_like(h)
        for part in map(slice, bounds[:-1], bounds[1:]):
            c = centres[part]
            if not len(c):
                continue
            L = int(lengths[part].max())
            rows, valid = tree.points[c, :L], tree.mask[c, :L]
            labels = (1 - tree.codes[c, :L]).astype(h.dtype)
            scores, cache = table.forward(h[part], rows)
            counts = valid
            if scores.ndim == 3:                               # skip-gram: a window per row
                counts = valid * widths[part, None]
                labels = np.broadcast_to(labels[:, None, :], scores.shape)
                valid = valid[:, None, :] & window_mask[part][:, :, None]
            part_loss, dscores = nn.logistic_loss(scores, labels, mask=valid, reduction="sum")
            loss += part_loss
            table.backward(dscores, cache, counts=counts, out=dh[part])
        return loss, dh


def _path_groups(n):
    """How many groups `_paths_backprop` scores a skip-gram step of n centres in."""
    return min(PATH_GROUPS, max(1, n // GROUP_CENTRES))


def rows_per_centre(config, out, input_rows=1.0):
    """The rows a centre updates when each prediction scores `out` output rows: window + 1
    context words on average (word2vec.c draws each centre's width from 1..window) of
    `input_rows` rows each (1, or with subwords the word's and its n-grams'), each scored by
    skip-gram, or their sum scored once by CBOW."""
    context = config.window + 1
    return context * (input_rows + out) if config.sg else context * input_rows + out


def _noise_groups(centres, contexts, mask, g):
    """A step's windows rearranged in G = ceil(n / g) groups of g that will share their noise
    words: (members (G, g), contexts, mask), the windows group after group, padded with empty
    windows (member -1, mask all False; their contexts are the last real window's, unread).

    Group i holds centres i, i + G, i + 2 G, ...: far apart in the text, as neighbouring
    centres share context words (docs/performance.md, "CBOW's noise groups")."""
    n = len(centres)
    G = -(-n // g)
    order = np.arange(g * G).reshape(g, G).T.ravel()   # grouped slot -> step position
    real = order < n
    order = np.minimum(order, n - 1)
    return (np.where(real, centres[order], -1).reshape(G, g), contexts[order],
            mask[order] & real[:, None])
