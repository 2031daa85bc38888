"""A training run from a corpus on disk to files: reading and checking the corpus, the model
saved with its state, the checkpoint kept beside the output, and what a run may resume from.
`wordvec train` is this module behind a command line; `Word2Vec` is it behind gensim's API.
"""
import json
import shutil
import warnings
from dataclasses import asdict, fields, replace
from functools import partial
from pathlib import Path

import numpy as np

from corpora import Corpus, Tokenizer, Vocab, encoded, load_corpus
from npnlp.errors import Advice, UserError
from npnlp.files import check_output, is_stdio
from npnlp.memory import check_fits
from npnlp.training import Diverged, Interrupted
from wordvec.batches import BLOCK_TOKENS, blocks
from wordvec.config import TrainConfig
from wordvec.fasttext_bin import save_facebook_model
from wordvec.model import SOFTMAX_LOGITS, Word2VecNet, rows_per_centre
from wordvec.native import load_config, load_native, save_native
from wordvec.train import TrainState, train, widest_window

SMALL_CORPUS = 100_000 # words: a corpus smaller than this is warned about


def checkpoint_path(output):
    """Where a run writing `output` keeps its checkpoint: OUTPUT.checkpoint beside it."""
    output = Path(output)
    return output.with_name(output.name + ".checkpoint")


def resume_source(output, resume):
    """The folder a run writing `output` continues from: None for a new run; with `resume`,
    its checkpoint, else a model trained into `output` before. A new run may not replace an
    interrupted run or a trained model."""
    output, checkpoint = Path(output), checkpoint_path(output)
    if checkpoint.exists() and not checkpoint.is_dir():
        raise UserError(f"{checkpoint} is in the way: training keeps its checkpoint there "
                        f"(move it away, or choose another -o)")
    if checkpoint.exists() and not resume:
        raise UserError(f"{checkpoint} holds an interrupted run: add --resume to continue "
                        f"it, or delete it to start over")
    if is_trained_model(output) and not resume:
        raise UserError(f"{output} holds a model `wordvec train` can train further: add "
                        f"--resume (and a larger --epochs), or delete it to start over")
    if not resume:
        return None
    if checkpoint.is_dir():
        return checkpoint
    if not is_trained_model(output):
        raise UserError(f"nothing to resume: no checkpoint {checkpoint}, and {output} is not a "
                        f"model written by `wordvec train` in the native format")
    return output


def train_to(output, format_, source, config, tokenizer, resume_from=None, changes=None,
             phrases=None, save_vocab=None, cluster=None, **read):
    """Train on `source` and write `output` (a format of wordvec.formats), checkpointing
    beside it (see `fit`); the checkpoint goes once the output is written. Returns (model,
    state). A diverged run names the state it kept; an output that fails to write names
    the checkpoint that holds the finished run. read: `fit`'s progress, cache, cache_dir."""
    checkpoint = checkpoint_path(output)
    if save_vocab:
        _check_vocab_target(save_vocab, output, checkpoint, source)
    try:
        model, state = fit(source, config, tokenizer, checkpoint, resume_from, changes=changes,
                           phrases=phrases, cluster=cluster, **read)
    except Diverged as e:
        kept = checkpoint if checkpoint.is_dir() else resume_from
        if kept is None:
            raise
        raise UserError(f"{e.what}: {e.advice}. The run {_reached(kept)} is kept in {kept}: "
                        f"add --resume (with a smaller --alpha or fewer --workers) to "
                        f"continue it") from None
    try:
        if format_ == "native":
            save_model(output, model, state, _run_keys(tokenizer, phrases))
        elif format_ == "fasttext":
            save_facebook_model(model, output)
        else:
            model.wv.save_word2vec_format(output, binary=format_ == "binary")
    except OSError as e:
        if not checkpoint.is_dir():
            raise
        raise UserError(f"could not write {output}: {e.strerror or e}. The trained model is "
                        f"safe in {checkpoint}: once that is fixed, the same command with "
                        f"--resume writes it (or `wordvec convert {checkpoint} OUT`)") from None
    if save_vocab:
        Vocab(model.words, model.counts).save(save_vocab)
    shutil.rmtree(checkpoint, ignore_errors=True)
    return model, state


def _check_vocab_target(save_vocab, output, checkpoint, source):
    check_output(save_vocab, [source])
    vocab_path = Path(save_vocab).resolve()
    for path, what in ((output, "vectors"), (checkpoint, "checkpoint")):
        path = Path(path).resolve()
        if path == vocab_path or path in vocab_path.parents:
            raise UserError(f"--save-vocab names {save_vocab}, where training writes its {what}")


def _reached(folder):
    """How far the run saved in `folder` got, in words."""
    state = load_config(folder)["state"]
    if state["done"] or state["partial"]:
        return f"partway through epoch {state['epoch'] + 1}"
    return f"to the end of epoch {state['epoch']}"


def _run_keys(tokenizer, phrases):
    """What a model records of how its corpus was read, so that a resumed run reads it so."""
    return {"tokenizer": tokenizer.key(),
            **_phrases_key(None if phrases is None else phrases.key())}


def _phrases_key(key):
    return {} if key is None else {"phrases": key}


def save_model(folder, model, state=None, extra=None):
    """The model in the native format, with everything needed to continue training: both
    weight tables, the vocabulary with counts, the config and the training state."""
    config = {"train": model.config.to_dict(), **(extra or {})}
    if state is not None:
        config["state"] = asdict(state)
    arrays = {"vectors": model.input.W.data, "counts": model.counts,
              "output": model.output.W.data}
    if hasattr(model, "hs_output"):   # both objectives: syn1 beside syn1neg
        arrays["hs_output"] = model.hs_output.W.data
    if model.subwords is not None:   # the words' means to query; their rows and n-grams' apart
        V, c = len(model.words), model.config
        arrays |= {"vectors": model.wv.vectors, "word_rows": model.input.W.data[:V],
                   "ngrams": model.input.W.data[V:]}
        config["ngrams"] = {"min_n": c.minn, "max_n": c.maxn}
    if model.input.W.lr_scale is not None:
        arrays["lockf"] = model.input.W.lr_scale
    save_native(folder, model.words, arrays, config)


def is_trained_model(folder):
    """Whether `folder` holds a model `save_model` wrote (not vectors alone)."""
    return Path(folder).is_dir() and (Path(folder) / "output.npy").exists()


def load_model(folder):
    """(model, state, extra config) from a folder written by `save_model`."""
    words, arrays, saved = load_native(folder, mmap=False)
    saved.pop("ngrams", None)
    if "train" not in saved or "output" not in arrays:
        raise UserError(f"{folder} holds word vectors but not a model to continue training "
                        f"(it was not written by `wordvec train`)")
    model = Word2VecNet(TrainConfig.from_dict(saved.pop("train")), words, arrays["counts"])
    table = arrays["vectors"] if "ngrams" not in arrays else \
        np.concatenate([arrays["word_rows"], arrays["ngrams"]])
    model.load_state_dict({"input.W": table, "output.W": arrays["output"]} |
                          ({"hs_output.W": arrays["hs_output"]} if "hs_output" in arrays else {}))
    if "lockf" in arrays:
        model.input.W.lr_scale = np.array(arrays["lockf"], np.float32)
    state = TrainState.from_dict(saved.pop("state")) if "state" in saved else None
    return model, state, saved


RESUME_CHANGES = ("epochs", "workers", "alpha", "min_alpha")   # what a resumed run may change


def fit(source, config, tokenizer, checkpoint=None, resume=None, progress=False, cache=True,
        cache_dir=None, changes=None, phrases=None, cluster=None):
    """Train word vectors on the corpus at `source` (a file or folder, read through `corpora`
    and its token cache, unless `cache` is false). Returns (model, state).

    checkpoint: a folder where the model is saved at every epoch end and on Ctrl-C (then
    Interrupted is raised). resume: a folder `save_model` wrote (that checkpoint, or a
    model trained before; True: the checkpoint) to continue from, with its settings but for
    `changes`, a dict of RESUME_CHANGES: more epochs (the learning rate then follows the
    longer run's schedule from where it is), another number of workers, another learning
    rate (the rest of the run decays linearly from it as from the start). A checkpoint of a
    finished run (its output failed to save) is returned as it is.

    cluster: a Dask client to train on its workers (`wordvec.cluster`) rather than here; they
    read and encode the corpus (files at the same paths for them), unless it is a Corpus,
    or standard input: then it is read here and sent to them. A folder `corpora encode`
    wrote is not read again: the workers load its shards.
    """
    extra = _run_keys(tokenizer, phrases)
    if encoded.is_encoded(source):   # read once: the vocabulary, the shards' paths
        source = encoded.load(source)
        tokenizer = _encoded_with(source, tokenizer, phrases)
        extra = {**_run_keys(tokenizer, None), **_phrases_key(source.phrases)}
    if resume is True:
        resume = checkpoint
    if resume is not None:
        if not Path(resume).is_dir():
            raise UserError(f"nothing to resume: no checkpoint {resume}")
        model, state, saved = load_model(resume)
        _check_same_tokenizer(saved.get("tokenizer"), extra["tokenizer"], resume, source)
        if saved.get("phrases") != extra.get("phrases"):
            raise UserError(f"{resume} was trained with other phrases: give the same "
                            f"--phrases file, or none if it had none")
        model.config = _changed(model.config, changes or {})
        finished = state is not None and state.epoch >= model.config.epochs
        if finished and Path(resume) == Path(checkpoint or ""):   # its output failed to
            return model, state                                   # save: nothing to train
        if finished:
            raise UserError(f"{resume} has done {state.epoch} epoch"
                            f"{'s' * (state.epoch != 1)} and --epochs is "
                            f"{model.config.epochs}: nothing to resume (a larger --epochs "
                            f"trains it further)")
        config = model.config
    spread = None
    read_here = isinstance(source, Corpus) or is_stdio(source)
    if cluster is not None and not read_here:
        from wordvec.cluster import read_on_cluster
        words, counts, spread = read_on_cluster(cluster, source, config, tokenizer, phrases)
        n_words, offsets = spread.words, np.array([0, spread.longest])
    else:
        words, counts, ids, offsets = prepare(source, config, tokenizer, progress, cache,
                                              cache_dir, phrases)
        n_words = len(ids)
    if resume is None:
        warn_if_small(source, n_words)
        check_run(config, len(words), offsets)
        model, state = Word2VecNet(config, words, counts), None
    elif words != model.words:
        raise UserError(f"the corpus {source} is not the one {resume} was trained on: its "
                        f"vocabulary differs")

    def save(model, state):
        if checkpoint is not None:
            save_model(checkpoint, model, state, extra)

    if cluster is not None:
        from wordvec.cluster import Spread, train_on_cluster
        spread = spread or Spread.scatter(cluster, ids, offsets)
        train_on = partial(train_on_cluster, cluster, model, spread)
    else:
        train_on = partial(train, model, ids, offsets)
    try:
        state = train_on(state, progress, on_epoch_end=save)
    except Interrupted as stop:
        save(model, stop.state)
        raise
    return model, state


def warn_if_small(source, n_words):
    """Warn that a corpus of `n_words` (in the vocabulary) is too small to learn much."""
    if n_words < SMALL_CORPUS:
        name = "the sentences" if isinstance(source, Corpus) else source
        warnings.warn(f"{name}: {n_words:,} words of the vocabulary to train on, too few "
                      f"for word2vec to learn much (it wants millions); expect sensible "
                      f"neighbours for frequent words only, more with more epochs",
                      Advice, stacklevel=3)


def check_run(config, V, offsets):
    """Raise UserError, before anything large is allocated, unless a run on a vocabulary of
    V words and sentences at `offsets` makes sense and fits in memory; warn when its window
    is cut to the longest sentence."""
    if config.negative_sampling and config.negative >= V:
        raise UserError(f"--negative {config.negative} draws more noise words per prediction "
                        f"than the vocabulary has words ({V:,})")
    window = widest_window(config, offsets)
    if window < config.window:
        warnings.warn(f"--window {config.window} is wider than the longest sentence "
                      f"({window + 1:,} words): using {window:,}", Advice, stacklevel=3)
        config = replace(config, window=window)   # for the estimate
    block = max(int(b[-1] - b[0]) for b in blocks(offsets))
    check_fits(memory_needed(config, V, block), f"training {V:,} words x {config.dim:,} dimensions "
               f"with {config.workers} worker{'s' * (config.workers > 1)}")


def memory_needed(config, V, block_tokens=BLOCK_TOKENS):
    """About the bytes a run allocates (float32, int64 ids): the two tables, and for each
    worker a block's windows and a step's arrays (the input rows of its windows and their
    gradients, the output rows of its predictions, their gradients); an estimate that
    refuses absurd settings, not a measurement."""
    D, w = config.dim, config.window
    outputs = 1 + (config.loss == "hierarchical+negative")
    tables = ((1 + outputs) * V + config.buckets * config.subwords) * D * 4
    block = block_tokens * 2 * w * 12      # windows(): 1.09 GB measured for window 1000
    if config.loss == "softmax":
        step = 2 * SOFTMAX_LOGITS * 4 + 250 * 2 * w * D * 4 * 2
    else:
        out = (1 + config.negative) * config.negative_sampling + \
            max(1, V).bit_length() * config.hierarchical
        size = config.step_size(V, rows_per_centre(config, out))
        step = size * D * 4 * (2 * 2 * w + 2 * out * (2 * w if config.sg else 1) + 2)
    return tables + config.workers * (block + step)


def _changed(config, changes):
    """`config` with `changes` (RESUME_CHANGES only); min_alpha follows a new alpha unless
    given."""
    if set(changes) - set(RESUME_CHANGES):
        raise ValueError(f"a resumed run can change only {', '.join(RESUME_CHANGES)}")
    if "alpha" in changes and "min_alpha" not in changes:
        changes = {**changes, "min_alpha": None}
    return replace(config, **changes)


def load_settings(checkpoint):
    """The TrainConfig settings saved in a checkpoint folder, as a dict."""
    return load_config(checkpoint).get("train", {})


def _check_same_tokenizer(saved, now, checkpoint, source):
    """A resumed run must read its corpus as before: name the flags that differ (a corpus
    encoded already is another corpus)."""
    if saved is None or saved == now:   # a model saved from Python may not say
        return
    if isinstance(source, encoded.Folder):
        raise UserError(f"the corpus {source} is not the one {checkpoint} was trained on: it "
                        f"was encoded with other tokenizer settings")
    saved, now = json.loads(saved), json.loads(now)
    defaults = {f.name: f.default for f in fields(Tokenizer)}
    flags = [f"{'add' if saved.get(k) != defaults[k] else 'drop'} "
             f"--{'' if not defaults[k] else 'no-'}{k.replace('_', '-')}"
             for k in sorted(now) if saved.get(k) != now[k]]
    raise UserError(f"{checkpoint} read its corpus with other tokenizer settings: "
                    f"{', '.join(flags)}")


def prepare(source, config, tokenizer, progress=False, cache=True, cache_dir=None,
            phrases=None):
    """(words, counts, ids, sentence offsets) of a corpus under `config`'s vocabulary;
    `source` is a path, or a Corpus already read, or the `corpora.encoded.Folder` of one
    (then `tokenizer` is not used); `phrases` (a corpora.Phrases) are joined first."""
    if isinstance(source, encoded.Folder):
        vocab = vocabulary(source.vocab.index_to_key, source.vocab.counts, config, source)
        corpus = encoded.concatenate([encoded.load_shard(p, len(vocab))
                                      for p in source.prefixes])
        check_sentences(np.diff(corpus.offsets).max(initial=0), source)
        return vocab.index_to_key, vocab.counts, corpus.ids, corpus.offsets
    if isinstance(source, Corpus):
        corpus, source = source, "the sentences"
    else:
        corpus = load_corpus(source, tokenizer, cache=cache, cache_dir=cache_dir,
                             progress=progress)
    if phrases is not None:
        corpus = phrases.apply(corpus)
    vocab = vocabulary(corpus.types, corpus.counts, config, source)
    corpus = corpus.encode(vocab)
    check_sentences(np.diff(corpus.offsets).max(initial=0), source)
    return vocab.index_to_key, vocab.counts, corpus.ids, corpus.offsets


def _encoded_with(folder, tokenizer, phrases):
    """The Tokenizer that read the corpus of `folder` (a corpora.encoded.Folder): the one
    given must be it or the default."""
    if phrases is not None:
        raise UserError(f"{folder} is encoded already: join the phrases when encoding "
                        f"(`corpora encode --phrases`)")
    if tokenizer not in (folder.tokenizer, Tokenizer()):
        raise UserError(f"{folder} was tokenized when it was encoded, with its own settings: "
                        f"tokenizer options do not apply to it")
    return folder.tokenizer


def vocabulary(types, counts, config, source):
    """The Vocab of a corpus's `types` and `counts` under `config`: at least 2 words."""
    vocab = Vocab.from_counts(types, counts, config.min_count, config.max_vocab)
    if len(vocab) < 2:
        frequent = int((np.asarray(counts) >= config.min_count).sum())
        hint = ("raise --max-vocab" if frequent >= 2 else
                "lower --min-count" if config.min_count > 1 else "it needs more text")
        raise UserError(f"the vocabulary of {source} has {len(vocab)} word: word2vec needs "
                        f"at least 2 ({hint})")
    return vocab


def check_sentences(longest, source):
    """Raise UserError unless some sentence has 2 words of the vocabulary (`longest`)."""
    if longest < 2:
        raise UserError(f"no sentence of {source} has 2 words of the vocabulary, so no word "
                        f"has a context (one word per line? --no-sentence-per-line reads "
                        f"each file as one sentence)")
