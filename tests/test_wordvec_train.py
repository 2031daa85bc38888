"""word2vec training: the Huffman code, gradients of every objective, planted analogies
recovered by every architecture and objective, exact resume, bad settings."""
import heapq
import itertools
import os
from dataclasses import replace

import numpy as np
import pytest
from nn_checks import assert_close

import nn
from corpora import Tokenizer, synth
from npnlp.errors import Advice, UserError
from npnlp.training import Interrupted
from wordvec import model as model_module
from wordvec.batches import Windows, block_size, blocks, keep_probabilities, steps, windows
from wordvec.config import LOSSES, MIN_STEP, TrainConfig
from wordvec.evaluate import evaluate_word_analogies
from wordvec.huffman import huffman_tree
from wordvec.lockstep import train_lockstep
from wordvec.model import NOISE_GROUP, Word2VecNet
from wordvec.run import fit, prepare
from wordvec.train import TrainState, train


def test_huffman_code_of_the_textbook_example():
    tree = huffman_tree([5, 9, 12, 13, 16, 45])
    codes = ["".join(map(str, c[m])) for c, m in zip(tree.codes, tree.mask)]
    assert codes == ["1100", "1101", "100", "101", "111", "0"]
    assert tree.points[5, 0] == 4          # every path starts at the root, node V - 2


@pytest.mark.parametrize("seed", range(3))
def test_huffman_code_is_an_optimal_prefix_code(seed):
    counts = np.random.default_rng(seed).zipf(1.5, 300).clip(max=10**6)
    tree = huffman_tree(counts)
    codes = ["".join(map(str, c[m])) for c, m in zip(tree.codes, tree.mask)]
    assert not any(a != b and b.startswith(a) for a, b in itertools.permutations(codes, 2))
    assert sum(2.0 ** -len(c) for c in codes) == pytest.approx(1)        # a full tree
    heap, cost = [int(c) for c in counts], 0                                # optimal cost
    heapq.heapify(heap)
    while len(heap) > 1:
        merged = heapq.heappop(heap) + heapq.heappop(heap)
        cost += merged
        heapq.heappush(heap, merged)
    assert int(np.dot(counts, tree.lengths)) == cost
    # a node's children share its path: the points of a word are its code's prefixes
    first_node = {}
    for points, code, mask in zip(tree.points, codes, tree.mask):
        for k, node in enumerate(points[mask]):
            assert first_node.setdefault(node, code[:k]) == code[:k]


def tiny_batch(rng, V=12, n=5, window=2):
    contexts = rng.integers(0, V, (n, 2 * window))
    mask = rng.random((n, 2 * window)) > 0.3
    mask[:, 0] = True
    return Windows(rng.integers(0, V, n), np.where(mask, contexts, 0), mask)


def tiny_model(sg, loss, cbow_mean=False, V=12):
    config = TrainConfig(sg=sg, cbow_mean=cbow_mean, loss=loss, dim=4, negative=3)
    model = Word2VecNet(config, [f"w{i}" for i in range(V)], np.arange(V, 0, -1) * 10,
                     dtype=np.float64)
    rng = np.random.default_rng(1)
    for p in model.parameters():
        p.data[...] = rng.normal(0, 0.5, p.data.shape)
    return model


@pytest.mark.parametrize("loss", ["negative", "hierarchical", "softmax", "hierarchical+negative"])
@pytest.mark.parametrize("sg", [True, False], ids=["skip-gram", "cbow-sum"])
def test_gradients_of_every_objective(sg, loss):
    model, batch = tiny_model(sg, loss), tiny_batch(np.random.default_rng(0))

    def loss_fn():
        value, _ = model.backprop(batch, np.random.default_rng(5))   # the same negatives
        return value, {}

    assert_close(nn.check_gradients(loss_fn, dict(model.named_parameters())))


def test_cbow_mean_gives_each_context_word_the_full_gradient_as_word2vec_c():
    """The input gradient with cbow_mean is the true one times the number of contexts."""
    batch = tiny_batch(np.random.default_rng(0), n=1)
    grads = []
    for mean in (True, False):
        model = tiny_model(False, "negative", cbow_mean=mean)
        if not mean:   # the same h as the mean: every context vector scaled by 1/count
            model.input.W.data /= batch.mask.sum()
        model.backprop(batch, np.random.default_rng(5))
        grads.append(model.output.W.grad.to_dense())
    np.testing.assert_allclose(grads[0], grads[1], atol=1e-12)   # same h, same output grad


@pytest.mark.parametrize("n", [1, 17])
def test_cbow_negative_sampling_equals_a_per_centre_computation_with_its_groups_noise(n):
    """Centre p shares the noise words of group p mod G (G = ceil(n / 8)), skipping any
    equal to its own word; padding members add nothing."""
    model = tiny_model(False, "negative", cbow_mean=True)
    rng = np.random.default_rng(2)
    batch = tiny_batch(rng, n=n)
    batch = Windows(rng.integers(0, 3, n), *batch[1:])   # few centres: some noise = centre
    syn0, syn1 = model.input.W.data, model.output.W.data
    G = -(-n // 8)
    noise = model.draw_noise(np.random.default_rng(5), G)
    sigma = lambda z: 1 / (1 + np.exp(-z))   # noqa: E731
    loss, d_in, d_out = 0.0, np.zeros_like(syn0), np.zeros_like(syn1)
    for p, (centre, contexts, mask) in enumerate(zip(*batch)):
        h = syn0[contexts[mask]].mean(axis=0)
        dh = 0
        for word, label in [(centre, 1)] + [(w, 0) for w in noise[p % G] if w != centre]:
            z = syn1[word] @ h
            loss -= np.log(sigma(z) if label else sigma(-z))
            d_out[word] += (sigma(z) - label) * h
            dh = dh + (sigma(z) - label) * syn1[word]
        for context in contexts[mask]:
            d_in[context] += dh                    # word2vec.c: the full gradient of the mean
    assert model.backprop(batch, np.random.default_rng(5)) == (pytest.approx(loss), n)
    np.testing.assert_allclose(model.input.W.grad.to_dense(), d_in, atol=1e-12)
    np.testing.assert_allclose(model.output.W.grad.to_dense(), d_out, atol=1e-12)


@pytest.mark.parametrize("loss", ["softmax", "hierarchical"])
def test_softmax_and_hierarchical_losses_equal_a_direct_per_pair_computation(loss):
    rng = np.random.default_rng(0)
    batch = tiny_batch(rng)
    sigma = lambda z: 1 / (1 + np.exp(-z))   # noqa: E731
    model = tiny_model(True, loss)
    syn0, syn1 = model.input.W.data, model.output.W.data
    tree = huffman_tree(model.counts)
    expected = 0.0
    for centre, contexts, mask in zip(*batch):
        for context in contexts[mask]:
            h = syn0[context]
            if loss == "softmax":
                z = syn1 @ h
                expected += np.log(np.exp(z).sum()) - z[centre]
            else:
                path = tree.mask[centre]
                for node, code in zip(tree.points[centre][path], tree.codes[centre][path]):
                    z = syn1[node] @ h
                    expected -= np.log(sigma(z) if code == 0 else sigma(-z))
    value, pairs = model.backprop(batch, rng)
    assert pairs == batch.mask.sum()
    assert value == pytest.approx(expected)


def test_windows_stay_inside_sentences():
    ids = np.arange(10)
    w = windows(ids, np.array([0, 4, 10]), np.ones(10), 3, np.random.default_rng(0))
    for centre, contexts, mask in zip(*w):
        same = list(contexts[mask])
        assert all((c < 4) == (centre < 4) for c in same) and centre not in same


def test_subsampling_keeps_rare_words_and_thins_frequent_ones_as_word2vec_c():
    keep = keep_probabilities(np.array([10**6, 10]), 1e-3)
    t = 1e-3 * (10**6 + 10)
    assert keep[1] == 1 and keep[0] == pytest.approx((np.sqrt(10**6 / t) + 1) * t / 10**6)


@pytest.mark.parametrize("keep", [1.0, 0.6])
def test_windows_are_word2vec_c_windows_of_the_drawn_widths(keep):
    """Over the words kept by subsampling, within sentences (one of them empty)."""
    ids, starts, window = np.arange(100, 140), np.array([0, 1, 9, 9, 10, 30, 40]), 4
    w = windows(ids, starts, np.full(200, keep), window, np.random.default_rng(7))
    draws = np.random.default_rng(7)
    kept = np.flatnonzero(draws.random(len(ids)) < keep)
    width = draws.integers(1, window + 1, len(kept))
    sentence = np.searchsorted(starts, kept, side="right")
    expected = []
    for p in range(len(kept)):
        context = [ids[kept[q]] for q in range(p - width[p], p + width[p] + 1)
                   if q != p and 0 <= q < len(kept) and sentence[q] == sentence[p]]
        if context:
            expected.append((ids[kept[p]], context))
    assert [(c, list(x[m])) for c, x, m in zip(*w)] == expected


def test_steps_keep_every_pair_and_drop_only_unused_columns():
    rng = np.random.default_rng(0)
    w = windows(rng.integers(0, 50, 3000), np.array([0, 700, 3000]), np.ones(50), 5, rng)
    pairs = sorted(zip(np.repeat(w.centres, w.mask.sum(1)), w.contexts[w.mask]))
    cut = list(steps(w, 100))
    assert [len(s.centres) for s in cut[:-1]] == [100] * (len(cut) - 1)
    assert sorted(p for s in cut for p in zip(np.repeat(s.centres, s.mask.sum(1)),
                                               s.contexts[s.mask])) == pairs
    assert all(s.mask.any(axis=0).all() for s in cut)
    assert min(s.mask.shape[1] for s in cut) < 10      # narrow windows share narrow steps


LINES = Tokenizer(sentence_per_line=True)


@pytest.mark.parametrize("loss,workers,batch", [
    pytest.param("negative", 1, 200, id="negative"),
    pytest.param("hierarchical", 1, 200, id="hierarchical"),
    pytest.param("softmax", 1, 200, id="softmax"),
    pytest.param("negative", 2, 200, id="negative-2-workers"),
    # the exact softmax's default steps once diverged with 2 workers
    pytest.param("softmax", 2, None, id="softmax-2-workers-default-steps")])
@pytest.mark.parametrize("sg", [True, False], ids=["skip-gram", "cbow"])
def test_every_model_recovers_the_planted_analogies(synth_corpus, sg, loss, workers, batch):
    corpus, questions = synth_corpus
    config = TrainConfig(sg=sg, loss=loss, dim=32, epochs=5, min_count=3, batch=batch,
                         workers=workers)
    model, state = fit(corpus, config, LINES)
    assert state.epoch_loss[-1] < state.epoch_loss[0]
    # CBOW with negative sampling shares noise words in groups of 8 centres: 0.86-0.89 here
    # over 3 seeds, against 0.87-0.94 with each centre's own noise and gensim's 0.82-0.84
    least = 0.8 if (not sg and loss == "negative") else 0.9
    assert evaluate_word_analogies(model.wv, questions).total.accuracy > least
    ranks = [model.wv.rank(a, b) for a, b in synth.SIMILAR]   # queen among king's nearest
    assert np.median(ranks) <= 15                              # of 355 words


@pytest.mark.parametrize("loss", ["softmax", "negative"])
@pytest.mark.parametrize("sg", [True, False], ids=["skip-gram", "cbow"])
def test_the_reported_loss_is_the_mean_per_prediction(synth_corpus, sg, loss):
    """A model that barely moves (alpha 1e-9) scores 0 against every output row, so its exact
    softmax loses ln V on every prediction, and its negative sampling (1 + negative) ln 2 less
    the noise words equal to their centre (skipped): the epoch's mean must be that, whatever
    the number of predictions."""
    config = TrainConfig(sg=sg, loss=loss, dim=8, epochs=1, min_count=3, alpha=1e-9)
    model, state = fit(synth_corpus[0], config, LINES)
    if loss == "softmax":
        assert state.epoch_loss == [pytest.approx(np.log(len(model.words)), rel=1e-6)]
    else:
        assert 0.97 * 6 * np.log(2) < state.epoch_loss[0] <= 6 * np.log(2) + 1e-6


def test_cbow_noise_groups_count_each_member_against_the_row_cap(synth_corpus):
    """Counted once per group of 8, frequent noise words took 8 times larger steps: with 2
    racing workers, runs collapsed (this test failed 3 runs in 3; 0.92-0.98 since)."""
    corpus, questions = synth_corpus
    config = TrainConfig(sg=False, dim=32, epochs=5, min_count=3, batch=2000, workers=2)
    model, _ = fit(corpus, config, LINES)
    assert evaluate_word_analogies(model.wv, questions).total.accuracy > 0.8


OBJECTIVES = [pytest.param(sg, loss, id=f"{'skip-gram' if sg else 'cbow'}-{loss}")
              for sg in (True, False) for loss in LOSSES]


@pytest.mark.parametrize("sg,loss", OBJECTIVES)
def test_default_steps_grow_with_the_vocabulary_and_shrink_with_the_workers(sg, loss):
    """The default step is as large as the workers' racing updates allow: smaller with more
    workers or more rows updated per centre, larger with a larger vocabulary (but for the
    exact softmax, whose every centre updates every output row), no larger on a huge
    vocabulary than on a large one, and never below MIN_STEP centres. The sizes themselves
    are tuned (bench/word2vec_grid.py): the training tests below say what they must do."""
    def size(V=22_000, workers=1, rows=42):              # 42: skip-gram, negative 5, window 5
        return TrainConfig(sg=sg, loss=loss, workers=workers).step_size(V, rows)

    by_vocabulary = [size(V=V) for V in (20, 355, 22_000, 10**6, 10**7)]
    by_workers = [size(workers=w) for w in (1, 2, 4, 8, 16, 64)]
    by_rows = [size(rows=r) for r in (6, 12, 42, 200)]
    assert by_vocabulary == sorted(by_vocabulary) and by_vocabulary[-2] == by_vocabulary[-1]
    assert by_workers == sorted(by_workers, reverse=True) and by_workers[-1] < by_workers[0]
    assert by_rows == sorted(by_rows, reverse=True)
    if loss != "softmax":
        assert by_vocabulary[1] < by_vocabulary[3] and by_rows[-1] < by_rows[0]
    assert size(V=20, workers=64, rows=200) >= MIN_STEP


@pytest.mark.parametrize("sg,loss", [o for o in OBJECTIVES if o.values[1] != "softmax"])
def test_a_frequent_row_keeps_one_workers_share_of_its_updates_with_more_workers(sg, loss):
    """More workers lower the row cap; where the vocabulary is large enough not to bound
    the step, the step falls with the cap, so that a capped row keeps at least the share
    (cap / step) one worker keeps (replayed: a smaller share cost analogy points)."""
    def share(workers):
        config = TrainConfig(sg=sg, loss=loss, workers=workers)
        return config.row_cap() / config.step_size(10**7, 42)

    assert all(share(w) >= share(1) for w in (2, 4, 8, 16, 32, 64))


@pytest.mark.parametrize("sg,loss", OBJECTIVES)
def test_batch_overrides_the_default_step(sg, loss):
    for V, workers, rows in [(20, 64, 200), (10**7, 1, 6)]:     # default: tiny, then large
        config = TrainConfig(sg=sg, loss=loss, workers=workers, batch=3000)
        assert config.step_size(V, rows) == 3000


def test_workers_zero_means_one_per_core():
    assert TrainConfig(workers=0).workers == len(os.sched_getaffinity(0))


def test_default_alpha_is_word2vec_cs_but_gensims_for_cbow_with_hierarchical_softmax():
    """0.05 cost CBOW with hierarchical softmax an analogy point (docs/performance.md)."""
    alphas = {(sg, loss): TrainConfig(sg=sg, loss=loss).alpha
              for sg in (True, False) for loss in LOSSES}
    assert alphas == {(True, "negative"): 0.025, (True, "hierarchical"): 0.025,
                      (True, "softmax"): 0.025, (True, "hierarchical+negative"): 0.025,
                      (False, "negative"): 0.05, (False, "hierarchical"): 0.025,
                      (False, "softmax"): 0.05, (False, "hierarchical+negative"): 0.025}


def trained(corpus, stop_after=None, **settings):
    """Train on `corpus`; with `stop_after`, stop after that many steps and resume from the
    saved state, as a Ctrl-C and --resume would."""
    config = TrainConfig(dim=16, epochs=2, min_count=3, batch=100, **settings)
    words, counts, ids, offsets = prepare(corpus, config, LINES)
    model = Word2VecNet(config, words, counts)
    if stop_after is None:
        train(model, ids, offsets)
        return model
    steps = iter(range(stop_after))
    with pytest.raises(Interrupted) as stopped:
        train(model, ids, offsets, stop=lambda: next(steps, None) is None)
    resumed = Word2VecNet(config, words, counts)
    resumed.load_state_dict(model.state_dict())
    train(resumed, ids, offsets, state=stopped.value.args[0])
    return resumed


def test_two_workers_stop_between_steps_and_resume_to_a_whole_run(synth_corpus):
    """Workers claim blocks as they go: a stop leaves some done, some part-done, some not
    begun, and the resumed run does each remaining step once."""
    config = TrainConfig(dim=16, epochs=8, min_count=3, batch=100, workers=2)
    words, counts, ids, offsets = prepare(synth_corpus[0], config, LINES)
    model = Word2VecNet(config, words, counts)
    calls = itertools.count()
    with pytest.raises(Interrupted) as stopped:
        train(model, ids, offsets, stop=lambda: next(calls) >= 2)   # after ~0.2 s
    state = stopped.value.args[0]
    assert 0 < state.words < 8 * len(ids)
    assert state.step_size == 100          # --batch, though 2 workers' default step is smaller
    final = train(model, ids, offsets, state=state)
    assert final.epoch == 8 and final.words == 8 * len(ids) and len(final.epoch_loss) == 8


def test_a_run_resumed_with_more_workers_takes_smaller_steps_from_where_it_stopped(
        synth_corpus):
    """More workers make smaller default steps: the steps done inside a block are counted
    again in the new size, so the run neither repeats nor skips more than one step, and it
    ends having counted the corpus's words."""
    config = TrainConfig(dim=16, epochs=1, min_count=3)
    words, counts, ids, offsets = prepare(synth_corpus[0], config, LINES)
    model = Word2VecNet(config, words, counts)
    calls = itertools.count()
    with pytest.raises(Interrupted) as stopped:
        train(model, ids, offsets, stop=lambda: next(calls) >= 5)
    state = stopped.value.args[0]
    (block, done), = state.partial.items()
    assert done == 6
    before = state.step_size
    model.config = replace(config, workers=4)
    final = train(model, ids, offsets, state=state)
    assert final.step_size < before and final.epoch == 1
    assert 0 <= final.words - len(ids) < final.step_size * 2


@pytest.mark.parametrize("sg,loss", [
    pytest.param(True, "negative", id="skip-gram-negative"),
    pytest.param(True, "hierarchical", id="skip-gram-hierarchical"),
    pytest.param(False, "negative", id="cbow-negative"),
    pytest.param(False, "hierarchical+negative", id="cbow-both")])
def test_resuming_mid_epoch_equals_an_uninterrupted_run(synth_corpus, sg, loss):
    straight = trained(synth_corpus[0], sg=sg, loss=loss)
    resumed = trained(synth_corpus[0], stop_after=37, sg=sg, loss=loss)   # inside a block
    for (name, a), (_, b) in zip(straight.named_parameters(), resumed.named_parameters()):
        np.testing.assert_array_equal(a.data, b.data, err_msg=name)


def test_the_seed_decides_the_vectors(synth_corpus):
    a, b = trained(synth_corpus[0], seed=4), trained(synth_corpus[0], seed=4)
    np.testing.assert_array_equal(a.input.W.data, b.input.W.data)
    assert not np.array_equal(a.input.W.data, trained(synth_corpus[0], seed=5).input.W.data)


@pytest.mark.parametrize("settings,message", [
    pytest.param({"negative": 0}, "needs --negative 1 or more", id="negative-zero"),
    pytest.param({"loss": "hierarchical", "negative": -1},
                 "negative must be a whole number of at least 0", id="negative-below-zero"),
    pytest.param({"sample": 1.5}, r"sample must be in \[0, 1\)", id="sample-above-one"),
    pytest.param({"sample": -0.1}, r"sample must be in \[0, 1\)", id="sample-below-zero"),
    pytest.param({"loss": "nce"}, "loss must be one of", id="unknown-loss"),
    pytest.param({"dim": 0}, "dim must be a whole number", id="dim-zero"),
    pytest.param({"dim": 2.5}, "dim must be a whole number", id="dim-fractional"),
    pytest.param({"window": 0}, "window must be a whole number", id="window-zero"),
    pytest.param({"epochs": 0}, "epochs must be a whole number", id="epochs-zero"),
    pytest.param({"min_count": 0}, "min_count must be a whole number", id="min-count-zero"),
    pytest.param({"workers": -1}, "workers must be a whole number of at least 0",
                 id="workers-below-zero"),
    pytest.param({"batch": 0}, "batch must be a whole number", id="batch-zero"),
    pytest.param({"alpha": 10}, "need 0 < alpha < 10", id="alpha-ten"),
    pytest.param({"alpha": 0.1, "min_alpha": 0.2}, "0 <= min_alpha <= alpha",
                 id="min-alpha-above-alpha"),
    pytest.param({"ns_exponent": 11}, r"ns_exponent must be in \[-10, 10\]",
                 id="ns-exponent-above-ten"),
    pytest.param({"subwords": True, "minn": 4, "maxn": 3}, "maxn 3 is below minn 4",
                 id="maxn-below-minn"),
    pytest.param({"subwords": True, "loss": "softmax"}, "subwords train with --loss negative",
                 id="subwords-with-softmax"),
])
def test_bad_settings_are_user_errors(settings, message):
    with pytest.raises(UserError, match=message):
        TrainConfig(**settings)


@pytest.mark.parametrize("text,settings,message", [
    pytest.param("a a a b\n", {}, "no word occurs at least 5 times",
                 id="no-word-reaches-min-count"),
    pytest.param("a a a b\n", {"min_count": 3},
                 r"has 1 word: word2vec needs at least 2 \(lower --min-count\)",
                 id="one-word-reaches-min-count"),
    pytest.param("a a a b\n", {"min_count": 1, "max_vocab": 1},
                 r"has 1 word: .* \(raise --max-vocab\)", id="max-vocab-one"),
    pytest.param("a a a b\n", {"min_count": 2, "max_vocab": 1},
                 r"has 1 word: .* \(lower --min-count\)",
                 id="max-vocab-one-and-one-word-reaches-min-count"),
    pytest.param("a\nb\na\nb\n", {"min_count": 1},
                 "no sentence of .* has 2 words of the vocabulary", id="a-word-per-line"),
    pytest.param("a a a b\n", {"min_count": 1, "negative": 2},
                 r"--negative 2 draws more noise words .* than the vocabulary has words \(2\)",
                 id="negative-not-below-vocabulary"),
])
def test_a_corpus_the_settings_cannot_train_is_a_user_error(tmp_path, text, settings, message):
    (tmp_path / "tiny.txt").write_text(text)
    with pytest.raises(UserError, match=message):
        fit(tmp_path / "tiny.txt", TrainConfig(**settings), LINES)


@pytest.mark.parametrize("loss", ["negative", "hierarchical", "softmax"])
@pytest.mark.parametrize("sg", [True, False], ids=["skip-gram", "cbow"])
def test_an_untrained_model_loses_at_most_its_untrained_loss(sg, loss):
    """The bound that a step's mean loss must stay within 10 times of (else: diverged)."""
    model = Word2VecNet(TrainConfig(sg=sg, loss=loss, dim=4, negative=3),
                     [f"w{i}" for i in range(12)], np.arange(12, 0, -1) * 10)
    value, predictions = model.backprop(tiny_batch(np.random.default_rng(0), n=20),
                                        np.random.default_rng(1))
    assert 0.3 * model.untrained_loss < value / predictions <= model.untrained_loss + 1e-6


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_a_diverging_loss_stops_training(synth_corpus):
    config = TrainConfig(dim=16, epochs=1, min_count=3, alpha=9.0, batch=2000, sample=0)
    with pytest.raises(UserError, match="the training loss became"):
        fit(synth_corpus[0], config, LINES)


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    """2,000 sentences of the synthetic corpus: 15,000 words, a vocabulary of about 300."""
    path = tmp_path_factory.mktemp("small") / "corpus.txt"
    synth.write(path, 2_000, seed=5)
    return path


@pytest.mark.parametrize("loss", ["negative", "hierarchical", "hierarchical+negative"])
@pytest.mark.parametrize("sg", [True, False], ids=["skip-gram", "cbow"])
def test_default_steps_learn_a_small_corpus(small_corpus, sg, loss):
    """At default settings (but dim and epochs), each word of a planted pair finds the other
    among its nearest. Steps of the large-corpus defaults (1,000 or 3,000 centres, 700 for
    hierarchical softmax) ranked them beyond the first 50 in some models."""
    config = TrainConfig(sg=sg, loss=loss, dim=50, epochs=10)
    with pytest.warns(Advice, match="too few"):
        model, _ = fit(small_corpus, config, LINES)
    ranks = [model.wv.rank(a, b) for a, b in synth.SIMILAR]
    assert np.median(ranks) <= 10


def test_eight_racing_workers_train_a_small_corpus_as_one_does(small_corpus):
    """With 8 workers on 2 cores, the updates of many steps race. The default steps and row
    cap shrink with the workers, so the final loss is that of one worker (1.787-1.788 in 3
    runs, against 1.782); with steps of 1,000 centres whatever the workers, it was 9% higher
    (2.265 against 2.071)."""
    losses = []
    for workers in (1, 8):
        config = TrainConfig(dim=50, epochs=10, workers=workers)
        model, state = fit(small_corpus, config, LINES)
        assert np.median([model.wv.rank(a, b) for a, b in synth.SIMILAR]) <= 10
        losses.append(state.epoch_loss[-1])
    assert losses[1] == pytest.approx(losses[0], rel=0.02)


def test_one_worker_in_lockstep_trains_as_train_does(small_corpus):
    """The replay of K workers' races with K = 1 is plain training: same vectors and loss."""
    config = TrainConfig(sg=False, dim=16, epochs=2)
    words, counts, ids, offsets = prepare(small_corpus, config, LINES)
    models = [Word2VecNet(config, words, counts) for _ in range(2)]
    state = train(models[0], ids, offsets)
    replayed = train_lockstep(models[1], ids, offsets)
    np.testing.assert_allclose(models[1].wv.vectors, models[0].wv.vectors, rtol=1e-4, atol=1e-6)
    assert replayed.epoch_loss == pytest.approx(state.epoch_loss, rel=1e-5)
    assert replayed.words == state.words


def test_workers_in_lockstep_take_their_steps_from_weights_without_the_others(small_corpus):
    """With a worker for each block and a step for each block, every step's gradient comes
    from the untrained weights, whose exact softmax loses ln V on every prediction; one
    worker's later steps learn from its earlier ones and lose less."""
    config = TrainConfig(loss="softmax", dim=16, epochs=1, batch=10**6)
    words, counts, ids, offsets = prepare(small_corpus, config, LINES)
    n_blocks = len(blocks(offsets, block_tokens=block_size(offsets)))
    losses = {}
    for workers in (1, n_blocks):
        model = Word2VecNet(replace(config, workers=workers), words, counts)
        losses[workers] = train_lockstep(model, ids, offsets).epoch_loss[0]
    assert n_blocks > 1
    assert losses[n_blocks] == pytest.approx(np.log(len(words)), rel=1e-6)
    assert losses[1] < (1 - 1e-5) * np.log(len(words))


@pytest.mark.parametrize("loss", ["negative", "hierarchical", "hierarchical+negative"])
@pytest.mark.parametrize("sg", [True, False], ids=["skip-gram", "cbow"])
def test_the_defaults_of_64_workers_train_a_small_corpus_as_one_does(small_corpus, sg, loss):
    """Replayed with 64 workers' step and row cap (its 15 blocks keep 15 of them busy, each
    step's gradient missing the 14 steps before it), training reaches one worker's loss and
    neighbours. A row cap let fall to 2 (64 x 2 = 128 examples of a row in flight) reached
    twice the loss and ranked CBOW's planted neighbours 25th."""
    config = TrainConfig(sg=sg, loss=loss, dim=50, epochs=10)
    words, counts, ids, offsets = prepare(small_corpus, config, LINES)
    losses = []
    for workers in (1, 64):
        model = Word2VecNet(replace(config, workers=workers), words, counts)
        losses.append(train_lockstep(model, ids, offsets).epoch_loss[-1])
        assert np.median([model.wv.rank(a, b) for a, b in synth.SIMILAR]) <= 10
    assert losses[1] == pytest.approx(losses[0], rel=0.1)


def test_subsampling_keeps_pairs_in_a_tiny_corpus(tmp_path):
    """300 two-word sentences of 8 words: sample x total is 0.6 occurrences, and word2vec's
    formula would keep each word a tenth of the time (about 6 of the 600 predictions an
    epoch; about 150 here)."""
    rng = np.random.default_rng(0)
    words = np.array(["the", "a", "of", "to", "and", "in", "is", "it"])
    corpus = tmp_path / "tiny.txt"
    corpus.write_text("\n".join(" ".join(rng.choice(words, 2)) for _ in range(300)))
    keep = keep_probabilities(np.full(8, 75), 1e-3)
    assert keep.min() > 0.45
    with pytest.warns(Advice):
        _, state = fit(corpus, TrainConfig(dim=8, epochs=1, min_count=1), LINES)
    assert state.epoch == 1 and state.words == 600 and state.epoch_pairs[0] > 100


def test_a_checkpoint_from_before_sized_blocks_resumes_on_its_own_blocks(small_corpus):
    """Its `done` and `partial` name blocks of 50,000 tokens; a small corpus is now cut into
    smaller blocks, which would resume the wrong ones."""
    config = TrainConfig(dim=8, epochs=1)
    words, counts, ids, offsets = prepare(small_corpus, config, LINES)
    fresh = train(Word2VecNet(config, words, counts), ids, offsets)
    assert fresh.block_tokens < 50_000 and fresh.words == len(ids)
    legacy = TrainState(partial={0: 3}, words=3 * 16)   # as an older checkpoint holds it
    resumed = train(Word2VecNet(config, words, counts), ids, offsets, state=legacy)
    assert resumed.block_tokens == 50_000 and resumed.epoch == 1


def test_a_checkpoint_state_under_the_older_names_loads():
    saved = {"epoch": 1, "partial": {"2": 5}, "step": 700, "blocks": 1000}
    state = TrainState.from_dict(saved)
    assert (state.step_size, state.block_tokens, state.partial) == (700, 1000, {2: 5})


def _per_pair_reference(model, windows, rng, alpha):
    """word2vec.c's update pair by pair (Word2VecNet.backprop's docstring), each from the
    weights before the step and summed: the tables after one step of plain SGD, the input
    table and the output tables (syn1neg, syn1; None where the objective has none)."""
    config, tree = model.config, model._tree
    syn0 = model.input.W.data.astype(np.float64)
    syn1neg = model.output.W.data.astype(np.float64) if config.negative_sampling else None
    syn1 = model.paths_output.W.data.astype(np.float64) if config.hierarchical else None
    new0, new1neg, new1 = (None if t is None else t.copy() for t in (syn0, syn1neg, syn1))
    n = len(windows.centres)
    groups = n if config.sg else -(-n // NOISE_GROUP)   # CBOW: centres i, i + G, ... share
    noise = model.draw_noise(rng, groups) if config.negative_sampling else None
    for i, (w, contexts, mask) in enumerate(zip(*windows)):
        targets = []   # (table before, table after, row, label)
        if config.hierarchical:   # word2vec.c: the path first, then the noise words
            path = slice(0, tree.lengths[w])
            targets += [(syn1, new1, t, 1.0 - code)
                        for t, code in zip(tree.points[w, path], tree.codes[w, path])]
        if config.negative_sampling:
            targets += [(syn1neg, new1neg, w, 1.0)] + [(syn1neg, new1neg, int(t), 0.0)
                                                       for t in noise[i % groups] if t != w]
        inputs = [[c] for c in contexts[mask]] if config.sg else [list(contexts[mask])]
        for rows in inputs:
            h = syn0[rows].mean(axis=0)
            dh = 0
            for before, after, t, label in targets:
                g = label - 1 / (1 + np.exp(-h @ before[t]))
                dh = dh + g * before[t]
                after[t] += alpha * g * h
            for c in rows:
                new0[c] += alpha * dh
    return new0, new1neg, new1


@pytest.mark.parametrize("sg", [True, False], ids=["skip-gram", "cbow"])
@pytest.mark.parametrize("loss", ["negative", "hierarchical", "hierarchical+negative"])
@pytest.mark.parametrize("group_centres", [5, 200], ids=["path-groups", "one-path-group"])
def test_a_step_is_word2vecs_per_pair_update_summed(sg, loss, group_centres, monkeypatch):
    monkeypatch.setattr(model_module, "GROUP_CENTRES", group_centres)   # 19 centres: 3 or 1
    counts = np.array([50, 30, 20, 12, 9, 7, 5, 3])
    words = [f"w{i}" for i in range(len(counts))]
    model = Word2VecNet(TrainConfig(sg=sg, loss=loss, dim=6, window=2, negative=3), words,
                        counts)
    rng = np.random.default_rng(0)
    for table in dict.fromkeys([model.output, model.paths_output or model.output]):
        table.W.data[...] = rng.normal(0, 0.5, table.W.data.shape)
    mask = rng.random((19, 4)) < 0.7   # 19 centres: CBOW's noise groups of 8 interleave them
    mask[:, 0] = True
    step = Windows(rng.integers(0, 8, 19), np.where(mask, rng.integers(0, 8, (19, 4)), 0), mask)
    syn0, syn1neg, syn1 = _per_pair_reference(model, step, np.random.default_rng(1), alpha=0.1)
    opt = nn.SGD(model, lr=0.1)
    opt.zero_grad()
    model.backprop(step, np.random.default_rng(1))
    opt.step()
    np.testing.assert_allclose(model.input.W.data, syn0, rtol=1e-5, atol=1e-6)
    for table, expected in ((model.output, syn1neg), (model.paths_output, syn1)):
        if expected is not None:
            np.testing.assert_allclose(table.W.data, expected, rtol=1e-5, atol=1e-6)
