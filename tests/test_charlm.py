"""The character language model: gradients of the whole model, a text learned by heart,
exact resume, sampling, and one-line errors for bad input."""
import math

import numpy as np
import pytest
from click.testing import CliRunner
from nn_checks import assert_close

import nn
from charlm.cli import main
from charlm.config import CharConfig
from charlm.data import Text, load_text
from charlm.model import CharRNN
from charlm.sample import generate, samples
from charlm.train import Interrupted, Paths, evaluate, fit, load, train
from corpora import CharVocab
from npnlp.errors import Advice, UserError

SONG = "the cat sat on the mat. " * 40


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_gradients_of_the_whole_model(cell):
    config = CharConfig(cell=cell, hidden=5, layers=2, embed=3, dropout=0.0)
    model = CharRNN(config, 7, dtype=np.float64)
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 7, (4, 2)), rng.integers(0, 7, (4, 2))     # (T, N)
    state0 = tuple(tuple(rng.standard_normal((2, 5)) for _ in c.state_names)
                   for c in model.rnn.layers)

    def loss_fn():
        logits, _, cache = model.forward(x, state0)
        loss, dlogits = nn.softmax_cross_entropy(logits, y)
        model.backward(dlogits, cache)
        return loss, {}

    assert_close(nn.check_gradients(loss_fn, dict(model.named_parameters())))


def song_text():
    vocab = CharVocab.build(SONG)
    ids = vocab.encode(SONG)
    return Text(vocab, ids, ids[:200])


def test_a_repeated_text_is_learned_and_sampled_back_greedily(tmp_path):
    config = CharConfig(hidden=32, layers=1, embed=8, dropout=0.0, seq_len=24, batch=4,
                        steps=150, eval_every=10, lr=1e-2)
    text = song_text()
    model = CharRNN(config, len(text.vocab))
    state = train(model, text.vocab, text, Paths(tmp_path / "song"))
    assert state.log[-1]["val_loss"] < 0.1 < state.log[0]["val_loss"]
    sampled = "".join(generate(model, text.vocab, 48, temperature=0, prime="the cat "))
    assert sampled == SONG[8:56]


def tiny_run(tmp_path, stop_after=None, **settings):
    config = CharConfig(hidden=16, layers=2, embed=8, dropout=0.3, seq_len=10, batch=3,
                        steps=30, eval_every=7, seed=3, **settings)
    text = song_text()
    tmp_path.mkdir(exist_ok=True)
    paths = Paths(tmp_path / "model")
    model = CharRNN(config, len(text.vocab))
    if stop_after is None:
        train(model, text.vocab, text, paths)
        return model
    steps = iter(range(stop_after))
    with pytest.raises(Interrupted):
        train(model, text.vocab, text, paths, stop=lambda: next(steps, None) is None)
    model, vocab, state, optimizer_state, hidden = load(paths.last)
    train(model, vocab, text, paths, state, optimizer_state, hidden)
    return model


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_resuming_equals_an_uninterrupted_run(tmp_path, optimizer):
    straight = tiny_run(tmp_path / "a", optimizer=optimizer, lr_decay=0.5, decay_after=0)
    resumed = tiny_run(tmp_path / "b", stop_after=12, optimizer=optimizer, lr_decay=0.5,
                       decay_after=0)
    for (name, p), q in zip(straight.named_parameters(), resumed.parameters()):
        np.testing.assert_array_equal(p.data, q.data, err_msg=name)
    assert log_without_rate(tmp_path / "b") == log_without_rate(tmp_path / "a")   # train loss too


def log_without_rate(folder):
    rows = [line.split(",") for line in (folder / "model.log.csv").read_text().splitlines()]
    rate = rows[0].index("chars_per_s")
    return [row[:rate] + row[rate + 1:] for row in rows]


def next_char_logits(model, vocab, text):
    """The model's logits (float64) for the character after each prefix of `text`, read
    whole from the start (not step by step, as `generate` does): (len(text), V)."""
    ids = vocab.encode(text)[:, None].astype(np.int64)
    logits, _, _ = model.eval().forward(ids)
    return logits[:, 0].astype(np.float64)


def test_sampling_is_reproducible_and_its_limits_are_greedy(tmp_path):
    model = tiny_run(tmp_path)
    vocab = song_text().vocab
    draw = lambda seed=7, **kw: "".join(  # noqa: E731
        generate(model, vocab, 60, seed=seed, prime="the", **kw))
    assert draw() == draw() and draw(top_p=0.9) == draw(top_p=0.9)
    assert draw() != draw(seed=8)                    # the seed decides the draws
    greedy = draw(temperature=0)
    predicted = next_char_logits(model, vocab, "the" + greedy)[2:-1].argmax(axis=1)
    assert vocab.decode(predicted) == greedy         # each the likeliest after what precedes
    assert draw(temperature=1e-4) == greedy and draw(top_k=1) == greedy
    assert draw(top_p=1e-6) == greedy                # the nucleus of a tiny p: the likeliest


def expected_draws(logits, temperature=1.0, top_k=None, top_p=None):
    """The distribution a sampler must draw from, by the definitions: softmax(logits / T),
    cut to the top_k likeliest, then to the fewest likeliest whose probability reaches top_p,
    renormalised after each cut."""
    p = np.exp((logits - logits.max()) / temperature)
    order = np.argsort(-p, kind="stable")
    p[order[top_k or len(p):]] = 0
    p /= p.sum()
    if top_p is not None:
        before = np.cumsum(p[order]) - p[order]           # the mass of the likelier ones
        p[order[before >= top_p]] = 0
        p /= p.sum()
    return p


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return tiny_run(tmp_path_factory.mktemp("tiny")), song_text().vocab


@pytest.mark.parametrize("settings", [
    pytest.param({}, id="temperature-1"),
    pytest.param({"temperature": 0.3}, id="temperature-0.3"),
    pytest.param({"temperature": 3.0}, id="temperature-3"),
    pytest.param({"top_k": 3}, id="top-k-3"),
    pytest.param({"top_p": 0.6}, id="top-p-0.6"),
    pytest.param({"temperature": 0.5, "top_k": 5, "top_p": 0.8}, id="top-k-then-top-p"),
])
def test_draws_follow_the_models_probabilities(tiny_model, settings):
    """4,000 streams draw the character after the same prime: its frequencies are the
    model's next-character probabilities, sharpened or flattened by the temperature, and
    characters the cuts leave out are never drawn. (Here the model gives 0.18 to the
    likeliest of 11 characters and 0.05 to the least: neither a uniform draw nor one that
    ignores the temperature comes within the tolerance.)"""
    model, vocab = tiny_model
    prime, n = "the cat sat on ", 4000
    expected = expected_draws(next_char_logits(model, vocab, prime)[-1], **settings)
    drawn = "".join(samples(model, vocab, n, 1, prime=prime, seed=0, **settings))
    frequencies = np.bincount(vocab.encode(drawn), minlength=len(vocab)) / n
    assert frequencies[expected == 0].sum() == 0
    np.testing.assert_allclose(frequencies, expected, atol=0.03)   # 4,000 draws: sd <= 0.008


def test_evaluate_gives_the_loss_per_character(tmp_path):
    model = tiny_run(tmp_path)
    ids = song_text().train
    loss = evaluate(model, ids)
    logits, _, _ = model.eval().forward(ids[:-1, None].astype(np.int64))
    direct, _ = nn.softmax_cross_entropy(logits, ids[1:, None].astype(np.int64))
    assert loss == pytest.approx(direct, rel=0.05)   # streams restart the state: close, not equal
    assert 0 < loss < math.log(len(song_text().vocab))


@pytest.fixture
def song_file(tmp_path):
    path = tmp_path / "song.txt"
    path.write_text(SONG)
    return path


def test_cli_train_sample_evaluate(song_file, tmp_path):
    out = tmp_path / "model.npz"
    result = run("train", song_file, "-o", out, "--hidden", 16, "--layers", 1, "--embed", 8,
                 "--seq-len", 20, "--batch", 4, "--steps", 30, "--eval-every", 10, "-q")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "model.npz", "model.npz.last", "model.npz.log.csv", "song.txt"]
    assert (tmp_path / "model.npz.log.csv").read_text().count("\n") == 4
    sampled = run("sample", out, "-n", 30, "--seed", 1, "--prime", "the")
    assert sampled.exit_code == 0 and sampled.output.startswith("the") and len(
        sampled.output) == 34
    assert sampled.output == run("sample", out, "-n", 30, "--seed", 1, "--prime", "the").output
    scored = run("evaluate", out, song_file)
    assert scored.exit_code == 0 and "bits/char" in scored.output
    again = run("train", song_file, "-o", out, "--steps", 5)   # would replace the run
    assert again.exit_code == 1 and "add --resume to continue it" in again.output


def assert_refused(result, code, message):
    """Exit code 1 is our one-line error, the whole output; 2 is click's usage error."""
    assert result.exit_code == code, result.output
    if code == 1:
        assert result.output == f"Error: {message}\n"
    else:
        assert message in result.output


@pytest.mark.parametrize("content,message", [
    pytest.param("", "is empty", id="empty"),
    pytest.param("aaaa", "1 distinct character", id="one-distinct-character"),
    pytest.param("ab" * 50, "needs 6,464 (lower --batch or --seq-len)", id="shorter-than-a-batch"),
])
def test_cli_train_bad_text(tmp_path, content, message):
    path = tmp_path / "t.txt"
    path.write_text(content)
    result = run("train", path, "-o", tmp_path / "m")
    assert result.exit_code == 1 and message in result.output and result.output.count("\n") == 1


@pytest.mark.parametrize("args,message", [
    pytest.param(["sample", "junk"], "junk is not a checkpoint: not a NumPy file",
                 id="sample-not-a-checkpoint"),
    pytest.param(["evaluate", "junk", "song.txt"], "junk is not a checkpoint: not a NumPy file",
                 id="evaluate-not-a-checkpoint"),
    pytest.param(["sample", "missing"], "no such file or folder: missing", id="sample-missing"),
    pytest.param(["evaluate", "missing", "song.txt"], "no such file or folder: missing",
                 id="evaluate-missing"),
])
def test_cli_refuses_what_is_not_a_checkpoint(song_file, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "junk").write_text("not a checkpoint")
    assert_refused(run(*args), 1, message)


@pytest.mark.parametrize("args,code,message", [
    pytest.param(["-o", "nowhere/m"], 1, "cannot write nowhere/m: no such folder: nowhere",
                 id="missing-folder"),
    pytest.param(["-o", "song.txt"], 1, "refusing to overwrite song.txt: it is the input "
                 "song.txt", id="output-is-the-input"),
    pytest.param(["-o", "-"], 2, "train writes a checkpoint and files beside it: give -o a "
                 "path", id="output-to-stdout"),
    pytest.param(["-o", "m", "--resume"], 1, "nothing to resume: no m.last",
                 id="resume-without-a-run"),
])
def test_cli_train_refuses_a_bad_destination_before_any_work(song_file, tmp_path, monkeypatch,
                                                             args, code, message):
    monkeypatch.chdir(tmp_path)
    assert_refused(run("train", "song.txt", *args), code, message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["song.txt"]


@pytest.fixture(scope="module")
def small_checkpoint(tmp_path_factory):
    """A small model the command line trained on SONG."""
    folder = tmp_path_factory.mktemp("small")
    (folder / "song.txt").write_text(SONG)
    result = run("train", folder / "song.txt", "-o", folder / "m", "--hidden", 8, "--layers", 1,
                 "--embed", 4, "--seq-len", 10, "--batch", 2, "--steps", 3, "-q")
    assert result.exit_code == 0, result.output
    return folder / "m"


@pytest.mark.parametrize("args,code,message", [
    pytest.param(["--temperature", "-1"], 2, "Invalid value for '-t'", id="negative-temperature"),
    pytest.param(["--temperature", "nan"], 1, "temperature must be a number of at least 0, "
                 "not nan", id="nan-temperature"),
    pytest.param(["--top-k", "0"], 2, "Invalid value for '--top-k'", id="top-k-zero"),
    pytest.param(["--top-p", "1.5"], 2, "Invalid value for '--top-p'", id="top-p-above-one"),
    pytest.param(["--top-p", "nan"], 1, "top-p must be a number in (0, 1], not nan",
                 id="nan-top-p"),
    pytest.param(["-n", "-1"], 2, "Invalid value for '-n' / '--length'", id="negative-length"),
    pytest.param(["--prime", "XYZ"], 1, "the prime text has characters the model never saw: "
                 "'XYZ'", id="prime-of-unseen-characters"),
    pytest.param(["--greedy", "-t", "0.5"], 2, "give one or the other",
                 id="greedy-with-temperature"),
    pytest.param(["--greedy", "--top-k", "3"], 2, "do not apply", id="greedy-with-top-k"),
    pytest.param(["--greedy", "--top-p", "0.5"], 2, "do not apply", id="greedy-with-top-p"),
])
def test_cli_sample_refuses_bad_settings_before_any_output(small_checkpoint, args, code,
                                                           message):
    assert_refused(run("sample", small_checkpoint, *args), code, message)


def test_diverging_loss_stops_and_says_so(tmp_path):
    config = CharConfig(hidden=16, layers=1, embed=4, seq_len=10, batch=3, steps=50,
                        eval_every=5, optimizer="sgd", lr=1e9, clip=1e9)
    text = song_text()
    with pytest.raises(UserError, match="try a lower --lr"):
        with np.errstate(all="ignore"):
            train(CharRNN(config, len(text.vocab)), text.vocab, text, Paths(tmp_path / "m"))


def test_load_text_splits_by_position(song_file):
    text = load_text(song_file, 0.25)
    assert len(text.val) == len(SONG) // 4 and text.vocab.decode(text.val) == SONG[-240:]


def test_python_api_samples_and_scores(song_file, tmp_path):
    from charlm import CharLM
    out = tmp_path / "m.npz"
    run("train", song_file, "-o", out, "--hidden", 16, "--layers", 1, "--embed", 8,
        "--seq-len", 20, "--batch", 4, "--steps", 40, "-q")
    lm = CharLM.load(out)
    text = lm.sample(50, prime="the ", seed=2)
    assert len(text) == 50 and text == lm.sample(50, prime="the ", seed=2)
    assert lm.evaluate(SONG[:200]) < lm.evaluate("mat on sat the cat. " * 2)
    with pytest.raises(UserError, match="not in the vocabulary"):
        lm.evaluate("the QUEEN")


def test_resume_extends_with_steps_and_refuses_other_changes(song_file, tmp_path):
    out = tmp_path / "m.npz"
    args = ["train", song_file, "-o", out, "--hidden", 8, "--layers", 1, "--embed", 4,
            "--seq-len", 10, "--batch", 2, "-q"]
    assert run(*args, "--steps", 4).exit_code == 0
    result = run(*args, "--steps", 8, "--resume", "--hidden", 16)
    assert result.exit_code == 1 and "--hidden 16 (saved: --hidden 8)" in result.output
    assert run(*args, "--steps", 8, "--resume").exit_code == 0
    assert load(tmp_path / "m.npz.last")[2].step == 8
    result = run(*args, "--steps", 6, "--resume")   # fewer steps than done: says so
    assert result.exit_code == 0 and "has done its 8 steps; raise --steps" in result.output
    (tmp_path / "other.txt").write_text(SONG[:-24])
    result = run("train", tmp_path / "other.txt", "-o", out, "--resume", "--steps", 9)
    assert result.exit_code == 1 and "is not the text" in result.output


def test_fit_from_python_stops_resumes_and_extends_as_one_run(song_file, tmp_path):
    """Stopped after 5 steps, resumed to 12, then extended to 20 (crossing an epoch: the
    state reset, the rate decayed): the weights of one 20-step run."""
    config = CharConfig(hidden=8, layers=1, embed=4, seq_len=10, batch=8, steps=20,
                        eval_every=4, lr_decay=0.5, decay_after=0)
    straight, *_ = fit(song_file, tmp_path / "a", config)
    short = CharConfig(**{**config.to_dict(), "steps": 12})
    steps = iter(range(1, 13))   # stop() is asked after each step
    with pytest.raises(Interrupted) as stopped:
        fit(song_file, tmp_path / "b", short, stop=lambda: next(steps) == 5)
    assert stopped.value.state.step == 5
    with pytest.raises(UserError, match="holds an earlier run: add --resume"):
        fit(song_file, tmp_path / "b", short)
    assert fit(song_file, tmp_path / "b", resume=True)[2].step == 12
    with pytest.warns(Advice, match="nothing to resume: .* has done its 12 steps"):
        fit(song_file, tmp_path / "b", resume=True)
    resumed, _, state = fit(song_file, tmp_path / "b", resume=True, changes={"steps": 20})
    assert state.step == 20
    for (name, p), q in zip(straight.named_parameters(), resumed.parameters()):
        np.testing.assert_array_equal(p.data, q.data, err_msg=name)


def test_text_from_standard_input_and_foreign_checkpoints(tmp_path):
    result = CliRunner().invoke(main, ["train", "-", "-o", str(tmp_path / "m"), "--hidden", "8",
                                       "--layers", "1", "--embed", "4", "--seq-len", "10",
                                       "--batch", "2", "--steps", "3", "-q"], input=SONG)
    assert result.exit_code == 0, result.output
    np.save(tmp_path / "a.npy", np.zeros(3))
    result = run("sample", tmp_path / "a.npy")
    assert result.exit_code == 1 and "is not a checkpoint: a single array" in result.output
    result = run("sample", tmp_path / "m", "--prime", "the€")
    assert result.exit_code == 1 and result.output.startswith("Error: the prime text")
    from_file = run("sample", tmp_path / "m", "-n", 30, "--seed", 1).output
    piped = CliRunner().invoke(main, ["sample", "-", "-n", "30", "--seed", "1"],
                               input=(tmp_path / "m").read_bytes())   # the checkpoint on stdin
    assert piped.exit_code == 0 and piped.output == from_file


def test_a_run_stopped_before_its_first_validation_and_resumed_keeps_a_model(tmp_path):
    """Ctrl-C before any validation leaves only CHECKPOINT.last; resuming a run whose steps
    are already done must still validate and write the model."""
    config = CharConfig(hidden=8, layers=1, embed=4, seq_len=10, batch=2, steps=5,
                        eval_every=100)
    text, paths = song_text(), Paths(tmp_path / "m")
    model = CharRNN(config, len(text.vocab))
    with pytest.raises(Interrupted):
        train(model, text.vocab, text, paths, stop=lambda: True)
    assert not paths.best.exists()
    model, vocab, state, optimizer_state, hidden = load(paths.last)
    model.config = CharConfig(**{**config.to_dict(), "steps": 1})
    state = train(model, vocab, text, paths, state, optimizer_state, hidden)
    assert paths.best.exists() and math.isfinite(state.best_val)


def test_train_refuses_to_replace_a_file_without_force(song_file, tmp_path):
    out = tmp_path / "notes.txt"
    out.write_text("my notes")
    args = ["train", song_file, "-o", out, "--hidden", 8, "--layers", 1, "--embed", 4,
            "--seq-len", 20, "--batch", 4, "--steps", 5, "-q"]
    result = run(*args)
    assert result.exit_code == 1 and "add --force to replace it" in result.output
    assert out.read_text() == "my notes"
    assert run(*args, "--force").exit_code == 0
    load(out)   # now a model


def test_evaluate_leaves_out_and_counts_characters_the_model_never_saw(song_file, tmp_path):
    out = tmp_path / "m"
    assert run("train", song_file, "-o", out, "--hidden", 8, "--layers", 1, "--embed", 4,
               "--seq-len", 20, "--batch", 4, "--steps", 5, "-q").exit_code == 0
    verse = "the cat sat on the mat. " * 30
    other, kept = tmp_path / "other.txt", tmp_path / "kept.txt"
    other.write_text(verse + "Zebra!\n" + verse)
    kept.write_text(verse + "ea" + verse)            # what is left of it: the seen characters
    result = run("evaluate", out, other, "-q")
    assert result.exit_code == 0, result.output
    warning, score = result.output.splitlines()     # stderr, then stdout
    assert warning == ("Warning: 5 characters the model never saw are left out of the text, "
                       "not scored: '\\n' (1), '!' (1), 'Z' (1), 'b' (1), 'r' (1)")
    assert score == run("evaluate", out, kept, "-q").output.strip()


def test_an_unseen_character_without_a_stand_in_is_named_with_its_position(tmp_path):
    from corpora import load_chars
    path = tmp_path / "t.txt"
    path.write_text("abcabcabXab")
    with pytest.raises(UserError, match=r"'X' \(U\+0058\) at position 8 of the text"):
        load_chars(path, cache=False).encode(CharVocab("abc"))


def test_a_run_that_ends_worse_than_uniform_guessing_says_so(tmp_path):
    text = tmp_path / "text.txt"
    text.write_text("the cat sat on the mat. " * 100)
    args = ["train", text, "-o", tmp_path / "m", "--hidden", 8, "--layers", 1,
            "--embed", 4, "--seq-len", 20, "--batch", 4, "--steps", 40, "--eval-every", 20,
            "--optimizer", "sgd", "-q"]
    result = run(*args, "--lr", 30)   # best validation loss 4.31 nats/char; ln 11 is 2.40
    assert result.exit_code == 0
    assert "worse than guessing uniformly among the 11 characters (2.3979)" in result.output
    again = run(*args, "--lr", 3)
    assert again.exit_code == 1 and "add --resume to continue it, or --force" in again.output
    good = run(*args, "--lr", 3, "--force")   # starts over, in place of the finished run
    assert good.exit_code == 0 and good.output == ""
    assert load(tmp_path / "m.last")[2].step == 40 and load(tmp_path / "m")[0].config.lr == 3


def test_a_full_disk_at_the_latest_state_says_the_best_model_is_safe(
        song_file, tmp_path, monkeypatch):
    import errno

    import charlm.train
    saved = charlm.train.save

    def full_for_last(path, *args):
        if str(path).endswith(".last") and (tmp_path / "m.last").exists():
            raise OSError(errno.ENOSPC, "No space left on device")
        saved(path, *args)
    monkeypatch.setattr(charlm.train, "save", full_for_last)
    result = run("train", song_file, "-o", tmp_path / "m", "--hidden", 8, "--layers", 1,
                 "--embed", 4, "--seq-len", 20, "--batch", 4, "--steps", 20,
                 "--eval-every", 10, "-q")
    assert result.exit_code == 1
    assert f"could not write {tmp_path / 'm.last'}: No space left on device. The best model " \
           f"so far (validation loss" in result.output
    assert f"is safe in {tmp_path / 'm'}; {tmp_path / 'm.last'} still holds the run's " \
           f"previous state, which --resume continues" in result.output
    load(tmp_path / "m")
    assert load(tmp_path / "m.last")[2].step == 10


def test_a_model_too_large_for_memory_is_refused_before_it_is_allocated(song_file, tmp_path):
    result = run("train", song_file, "-o", tmp_path / "m", "--hidden", 100_000)
    assert result.exit_code == 1 and result.output.startswith(
        "Error: a 2-layer lstm of 100,000 units with 64-dimension embeddings needs about ")
    assert not list(tmp_path.glob("m*"))


def test_no_cache_reads_the_text_without_writing_the_character_cache(song_file, tmp_path,
                                                                      monkeypatch):
    monkeypatch.setenv("NPNLP_CACHE_DIR", str(tmp_path / "cache"))
    result = run("train", song_file, "-o", tmp_path / "m", "--hidden", 8, "--layers", 1,
                 "--embed", 4, "--seq-len", 20, "--batch", 4, "--steps", 2, "-q", "--no-cache")
    assert result.exit_code == 0, result.output
    assert run("evaluate", tmp_path / "m", song_file, "-q", "--no-cache").exit_code == 0
    assert not (tmp_path / "cache").exists()
    assert run("evaluate", tmp_path / "m", song_file, "-q").exit_code == 0
    assert list((tmp_path / "cache" / "chars").iterdir())


def test_batched_samples_stop_strings_and_prime_files(song_file, tmp_path):
    out = tmp_path / "m"
    assert run("train", song_file, "-o", out, "--hidden", 16, "--layers", 1, "--embed", 8,
               "--seq-len", 20, "--batch", 4, "--steps", 40, "-q").exit_code == 0
    model, vocab, *_ = load(out)
    greedy = "".join(generate(model, vocab, 40, temperature=0, prime="the"))
    assert samples(model, vocab, 3, 40, temperature=0, prime="the") == [greedy] * 3
    one = "".join(generate(model, vocab, 40, prime="the", seed=3))
    assert samples(model, vocab, 1, 40, prime="the", seed=3) == [one]   # the same draws
    drawn = samples(model, vocab, 4, 200, prime="the", seed=3, stop="at")
    assert all(t.endswith("at") and t.count("at") == 1 for t in drawn), drawn
    cut = "".join(generate(model, vocab, 200, prime="the", seed=3, stop="at"))
    assert cut.endswith("at") and cut.count("at") == 1
    (tmp_path / "prime.txt").write_text("the c")
    by_file = run("sample", out, "-n", 30, "--seed", 4, "--prime-file", tmp_path / "prime.txt")
    assert by_file.exit_code == 0
    assert by_file.output == run("sample", out, "-n", 30, "--seed", 4, "--prime", "the c").output
    several = run("sample", out, "-n", 30, "--seed", 4, "--num-samples", 3, "--prime", "the")
    assert several.exit_code == 0 and several.output.count("\n\nthe") == 2


def test_init_from_fine_tunes_a_trained_model_on_a_text_with_new_characters(song_file, tmp_path):
    base = tmp_path / "base"
    net = ["--hidden", 16, "--layers", 1, "--embed", 8]
    steps = ["--seq-len", 20, "--batch", 4, "-q"]
    assert run("train", song_file, "-o", base, *net, *steps, "--steps", 40).exit_code == 0
    model, vocab, *_ = load(base)
    wider = CharVocab(vocab.chars + "dgl!")
    tuned = CharRNN(model.config, len(wider))
    tuned.take_weights(model, wider, vocab)
    ids = vocab.encode("the cat sat")[:, None].astype(np.int64)
    logits, *_ = model.eval().forward(ids)
    wide_logits, *_ = tuned.eval().forward(wider.encode("the cat sat")[:, None].astype(np.int64))
    np.testing.assert_allclose(wide_logits[..., wider.encode(vocab.chars)], logits, rtol=1e-5)

    dog = tmp_path / "dog.txt"
    dog.write_text("the dog sat on the log! " * 40)
    result = run("train", dog, "-o", tmp_path / "tuned", "--init-from", base, *steps,
                 "--steps", 10)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Warning: 4 characters of {dog} that {base} never saw "
                                    f"start untrained: '!', 'd', 'g', 'l'")
    assert load(tmp_path / "tuned")[0].config.hidden == 16     # the base's network, kept
    refused = run("train", dog, "-o", tmp_path / "t2", "--init-from", base, "--hidden", 32)
    assert refused.exit_code == 1
    assert f"--init-from keeps the network of {base}: --hidden 32" in refused.output
    both = run("train", dog, "-o", tmp_path / "t3", "--init-from", base, "--resume")
    assert both.exit_code == 2


def test_a_resumed_run_may_take_a_new_learning_rate(song_file, tmp_path):
    out = tmp_path / "m"
    args = ["train", song_file, "-o", out, "--hidden", 8, "--layers", 1, "--embed", 4,
            "--seq-len", 20, "--batch", 4, "--eval-every", 5, "-q"]
    assert run(*args, "--steps", 5).exit_code == 0
    assert run(*args, "--steps", 10, "--resume", "--lr", 1e-4).exit_code == 0
    log = (tmp_path / "m.log.csv").read_text().splitlines()
    lr = log[0].split(",").index("lr")
    assert [float(line.split(",")[lr]) for line in log[1:]] == [2e-3, 1e-4]
    assert load(out)[0].config.lr == 1e-4


def test_plot_draws_the_learning_curve_as_svg(song_file, tmp_path):
    import xml.etree.ElementTree as ET
    out = tmp_path / "m"
    assert run("train", song_file, "-o", out, "--hidden", 8, "--layers", 1, "--embed", 4,
               "--seq-len", 20, "--batch", 4, "--steps", 30, "--eval-every", 10,
               "-q").exit_code == 0
    result = run("plot", out, "-o", tmp_path / "curve.svg")
    assert result.exit_code == 0, result.output
    svg = ET.parse(tmp_path / "curve.svg").getroot()
    lines = svg.findall("{http://www.w3.org/2000/svg}polyline")
    assert [len(line.get("points").split()) for line in lines] == [3, 3, 3]   # axes, 2 curves
    val = [float(p.split(",")[1]) for p in lines[2].get("points").split()]
    assert val[-1] > val[0]    # SVG's y grows downwards: the validation loss fell
    missing = run("plot", tmp_path / "none", "-o", tmp_path / "c.svg")
    assert missing.exit_code == 1 and "no log" in missing.output
    clobber = run("plot", out, "-o", out)   # the model, not a picture
    assert clobber.exit_code == 1 and load(out)
