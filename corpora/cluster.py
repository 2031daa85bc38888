"""Corpora on a Dask cluster: a corpus cut in shards (its files, and byte ranges of large
plain files cut at line ends) tokenized and counted on the workers, the counts merged in a
tree. The vocabulary is the one a single machine gets from the same input, ties in the same
order: a type first seen in an earlier shard, or earlier in the same one, comes first. The
shards are also tokenized into text (`write_tokens`), encoded in a vocabulary's ids
(`encode_corpus`), and their phrase candidates counted (`learn_phrases`) on the workers;
no sentence spans two shards, so the result, read in order, is the single machine's.

Dask is optional (`pip install "numpy-nlp[dask]"`); nothing else in the toolkit imports it.
"""
import functools
import io
import logging
import os
import signal
import subprocess
import sys
from collections import deque
from contextlib import contextmanager
from typing import NamedTuple

import numpy as np

from corpora import encoded
from corpora.corpus import build_corpus, write_sentences
from corpora.encoded import save_shard, shard_prefix
from corpora.phrases import apply as apply_phrases
from corpora.phrases import count_candidates, merged_candidates, phrase_table, pruned
from corpora.read import ReadStats, is_plain, is_stream, list_files, read_chunks, read_range
from corpora.tokenize import write_chunks
from corpora.vocab import Vocab
from npnlp.errors import UserError

SHARD_BYTES = 64 << 20   # a task's text: large enough to amortise scheduling, small to balance


class Shard(NamedTuple):
    """Bytes start..end of a file; end None: the whole file (compressed, or small)."""

    path: str
    start: int = 0
    end: int | None = None


class Counts(NamedTuple):
    """What counting a corpus gives, without its token ids: types in first-seen order, their
    counts, what reading saw, and its sentences."""

    types: list
    counts: np.ndarray
    stats: ReadStats
    sentences: int
    tokens: int
    files_with_tokens: frozenset   # with --no-sentence-per-line, where a file is a sentence


@contextmanager
def connect(address):
    """A Dask client, closed when the block ends (`with connect(address) as client`):
    `local:N` starts a cluster of N worker processes on this machine (`local_cluster`), any
    other address is a running scheduler's (tcp://host:8786). A cluster lost on the way
    (futures cancelled, workers killed) ends the block in a one-line UserError; Dask's own
    log lines below errors are silenced: they are about its machinery, not the user's
    data."""
    try:
        from distributed import Client
    except ImportError:
        raise UserError('--dask needs Dask: pip install "numpy-nlp[dask]"') from None
    _quiet_dask(logging.ERROR)
    with _client(Client, address) as client, _lost_as_user_error(address):
        yield client


def _quiet_dask(level):
    """Let Dask's loggers (`distributed` and those of its modules given a level of their
    own, as `distributed.client` is) write only records of `level` or above."""
    names = [n for n in logging.root.manager.loggerDict if n.startswith("distributed.")]
    for name in ["distributed", *names]:
        logger = logging.getLogger(name)
        if name == "distributed" or logger.level != logging.NOTSET:
            logger.setLevel(level)


@contextmanager
def _client(Client, address):
    """A Client of `address` (see `connect`), closed when the block ends."""
    if not address.startswith("local:"):
        try:
            client = Client(address, timeout="10s")
        except OSError as e:
            raise UserError(f"cannot reach the Dask scheduler at {address}: {e}") from None
        with client:
            yield client
        return
    n = address.removeprefix("local:")
    if not n.isdecimal() or int(n) < 1:
        raise UserError(f"--dask {address}: say local:N with N worker processes, e.g. local:4")
    with local_cluster(int(n)) as scheduler, Client(scheduler, timeout="30s") as client:
        # all N, or a loaded machine's first tasks see fewer (wordvec's blocks follow them)
        client.wait_for_workers(int(n), timeout=60)
        yield client


@contextmanager
def _lost_as_user_error(address):
    """Turn the errors of a cluster that went away, or whose workers a task kept killing,
    into a one-line UserError."""
    from concurrent.futures import CancelledError

    from distributed.comm import CommClosedError
    from distributed.scheduler import KilledWorker
    try:
        yield
    except (CancelledError, KilledWorker, CommClosedError) as e:
        _quiet_dask(logging.CRITICAL)   # what the client logs on closing only repeats it
        reason = ("its scheduler or workers went away" if isinstance(e, CancelledError) else
                  str(e).splitlines()[0] or type(e).__name__)
        raise UserError(f"the Dask cluster at {address} failed: {reason}") from None


@contextmanager
def local_cluster(n):
    """The address of a cluster of `n` worker processes on this machine, stopped when the
    block ends, however it ends.

    The cluster runs in a process of its own session (`serve_local`), so that the terminal's
    Ctrl-C reaches this process alone: Dask's processes neither print tracebacks nor race
    our shutdown, and this process says "Interrupted." once. The cluster process stops when
    its standard input closes, which happens here at the block's end and when this process
    dies in any way (even killed); its workers die with it (Dask's nannies watch their
    parent). Its output goes nowhere: what matters comes back through the futures."""
    process = subprocess.Popen([sys.executable, "-m", "corpora.cluster", str(n)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, start_new_session=True, text=True)
    started = False
    try:
        reply = process.stdout.readline().strip()
        if not reply.startswith("tcp://"):
            raise UserError(f"the local Dask cluster did not start: {reply or 'no reply'}")
        started = True
        yield reply
    finally:
        _stop(process, gently=started)


def _stop(process, gently, timeout=1):
    """End the cluster process: `gently`, by closing its standard input and waiting for it
    to close the cluster (0.4 s when its workers are idle), at most `timeout` seconds or
    until Ctrl-C; else, or then, by killing its process group (it and its workers: a worker
    busy in a task takes 4 s to close). Scratch folders a kill leaves behind are removed by
    Dask's next start."""
    try:
        process.stdin.close()
        if gently:
            process.wait(timeout)
    except (subprocess.TimeoutExpired, KeyboardInterrupt, OSError):
        pass
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait()
    process.stdout.close()


def serve_local(n):
    """Run a cluster of `n` worker processes (one thread each) until standard input closes:
    the body of `local_cluster`'s process. Its address, or why it failed, is the one line
    written to standard output, which is then pointed at /dev/null with standard error (the
    workers inherit both)."""
    reply = os.fdopen(os.dup(1), "w")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        from distributed import LocalCluster
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
    except Exception as e:   # reported in the user's process, in one line
        reply.write(f"{type(e).__name__}: {e}\n")
        return
    with cluster:
        reply.write(cluster.scheduler_address + "\n")
        reply.close()
        sys.stdin.read()


def shards(source, shard_bytes=SHARD_BYTES, cut=True):
    """The shards of `source`'s files, in reading order. With `cut`, a plain file larger
    than `shard_bytes` is cut at the first line end past each multiple of it; a compressed
    file is one shard (it cannot be entered in the middle). Streams are refused: the workers
    must read the files themselves."""
    out = []
    for path in list_files(source):
        if is_stream(path):
            raise UserError(f"{path} is a stream: on a cluster the workers read the files "
                            f"themselves, so give files or a folder on storage they share")
        size = os.path.getsize(path)
        if not cut or size <= shard_bytes or not is_plain(path):
            out.append(Shard(str(path)))
            continue
        with open(path, "rb") as f:
            start = 0
            while start < size:
                end = _line_end_after(f, start + shard_bytes, size)
                out.append(Shard(str(path), start, end))
                start = end
    return out


def _line_end_after(f, position, size):
    """The offset just past the first '\n' at or after `position` (or the file's end)."""
    if position >= size:
        return size
    f.seek(position)
    while block := f.read(1 << 16):
        at = block.find(b"\n")
        if at >= 0:
            return position + at + 1
        position += len(block)
    return size


def tokenize_shard(shard, tokenizer, phrases=None):
    """The Corpus of one shard, read and tokenized on a worker (each shard a document), the
    Phrases `phrases` joined if given."""
    stats = ReadStats()
    corpus = build_corpus(_token_chunks(shard, tokenizer, stats), stats)
    return corpus if phrases is None else phrases.apply(corpus)


def _token_chunks(shard, tokenizer, stats):
    """The TokenChunks of one shard, read as a document of its own into `stats`."""
    if shard.end is None:
        chunks = read_chunks(shard.path, stats)
    else:
        chunks = read_range(shard.path, shard.start, shard.end, stats)
    return tokenizer.stream(chunks, stats)


def count(corpus, path, sentence_per_line):
    """A shard's Counts."""
    has_tokens = corpus.type_ids.size > 0
    return Counts(corpus.types, np.asarray(corpus.counts, np.int64), corpus.stats,
                  len(corpus.offsets) - 1 if sentence_per_line else 0, int(corpus.type_ids.size),
                  frozenset([path] if has_tokens and not sentence_per_line else []))


def merge(a, b):
    """The Counts of shard runs a and b, b read after a: b's new types follow a's."""
    types, remap = _union(a.types, b.types)
    return Counts(types, _counts_added(a.counts, b.counts, remap, len(types)),
                  _stats_added(a.stats, b.stats), a.sentences + b.sentences, a.tokens + b.tokens,
                  a.files_with_tokens | b.files_with_tokens)


def _union(a_types, b_types):
    """(a's types then those of b's that are new, in b's order; each of b's ids there)."""
    index = {t: i for i, t in enumerate(a_types)}
    new = [t for t in b_types if t not in index]
    index.update((t, len(a_types) + i) for i, t in enumerate(new))
    return a_types + new, np.fromiter((index[t] for t in b_types), np.int64, len(b_types))


def _counts_added(a_counts, b_counts, remap, n):
    """Counts of n types: a's (of the first types) plus b's, b's ids mapped by `remap`."""
    counts = np.zeros(n, np.int64)
    counts[:len(a_counts)] = a_counts
    np.add.at(counts, remap, b_counts)
    return counts


def _stats_added(a, b):
    """The ReadStats of reading what a and b read."""
    return ReadStats(**{f: getattr(a, f) + getattr(b, f) for f in ReadStats.__dataclass_fields__})


def count_corpus(client, source, tokenizer, shard_bytes=SHARD_BYTES, phrases=None):
    """The Counts of `source` (files the workers can read at the same paths), each shard
    tokenized on a worker (the Phrases `phrases` joined, if given: then no shard cuts a
    sentence) and the counts merged in a tree (`merged_in_order`)."""
    if phrases is None:
        parts = shards(source, shard_bytes)
    else:
        parts = sentence_shards(source, tokenizer, shard_bytes)
        phrases = client.scatter(phrases, broadcast=True, hash=False)
    parsed = client.map(tokenize_shard, parts, tokenizer=tokenizer, phrases=phrases,
                        pure=False)
    counts = merged_in_order(client, merge, [
        client.submit(count, c, s.path, tokenizer.sentence_per_line, pure=False)
        for c, s in zip(parsed, parts)])
    _check_tokens(source, counts.tokens, counts.stats)
    if not tokenizer.sentence_per_line:
        counts = counts._replace(sentences=len(counts.files_with_tokens))
    return counts



def merged_in_order(client, merge_two, futures):
    """The result of `merge_two` folded over `futures` in their order, merged pairwise on
    the workers, neighbours with neighbours, so that no worker holds more than two shards'
    worth at once."""
    level = futures
    while len(level) > 1:
        pairs = [client.submit(merge_two, a, b, pure=False)
                 for a, b in zip(level[::2], level[1::2])]
        level = pairs + level[len(pairs) * 2:]
    return level[0].result()


def _check_tokens(source, tokens, stats):
    """Raise UserError, as reading on one machine does, when `source` gave no token."""
    if not tokens:
        raise UserError(f"no tokens in {source}" if stats.chars else f"{source} is empty")


def sentence_shards(source, tokenizer, shard_bytes=SHARD_BYTES):
    """The shards of `source` such that no sentence spans two: a file whole when it is one
    sentence (--no-sentence-per-line), else cut at line ends."""
    return shards(source, shard_bytes, cut=tokenizer.sentence_per_line)


def shard_text(shard, tokenizer, phrases=None):
    """(the text of one shard as `corpora tokenize` writes it, with the Phrases `phrases`
    joined if given; its tokens; its ReadStats)."""
    text, stats = io.StringIO(), ReadStats()
    if phrases is None:   # streamed: 1.7 times as fast as through a Corpus
        tokens = write_chunks(_token_chunks(shard, tokenizer, stats), text)
    else:
        corpus = tokenize_shard(shard, tokenizer, phrases)
        write_sentences(corpus, text)
        tokens, stats = int(corpus.type_ids.size), corpus.stats
    return text.getvalue(), tokens, stats


def write_tokens(client, source, out, tokenizer, phrases=None, shard_bytes=SHARD_BYTES):
    """Write the tokens of `source` to the text stream `out` a sentence a line, as
    `corpora tokenize` does on one machine, to the byte: the shards tokenized (and their
    phrases joined: a sentence's own business) on the workers, written in reading order,
    at most two shards a worker ahead of the writing. Returns the ReadStats."""
    if phrases is not None:
        phrases = client.scatter(phrases, broadcast=True, hash=False)
    ahead = 2 * max(1, len(client.scheduler_info()["workers"]))
    pending, stats, tokens = deque(), ReadStats(), 0
    for shard in sentence_shards(source, tokenizer, shard_bytes) + [None] * ahead:
        if shard is not None:
            pending.append(client.submit(shard_text, shard, tokenizer, phrases, pure=False))
        if len(pending) > ahead or (shard is None and pending):
            text, n, read = pending.popleft().result()
            out.write(text)
            stats, tokens = _stats_added(stats, read), tokens + n
    _check_tokens(source, tokens, stats)
    return stats


def encode_corpus(client, source, tokenizer, vocab, folder=None, shard_bytes=SHARD_BYTES,
                  phrases=None):
    """Futures of `source` in `vocab`'s ids, a Corpus `Encoded` (ids, sentence offsets) per
    shard in reading order, tokenized and encoded on the workers, where they stay: what a
    trainer on the cluster starts from. No sentence spans two shards, so `concatenate` of
    their results is the single machine's `load_corpus(source).encode(vocab)`.

    With `folder` (on storage the workers share), each shard is also saved there
    (`corpora.encoded.save_shard`), and its Encoded reads it memory-mapped. `phrases`: the
    Phrases to join first."""
    vocab = client.scatter(vocab, broadcast=True, hash=False)
    if phrases is not None:
        phrases = client.scatter(phrases, broadcast=True, hash=False)
    return [client.submit(encode_shard, shard, tokenizer, vocab, None if folder is None else
                          shard_prefix(folder, n), phrases, pure=False)
            for n, shard in enumerate(sentence_shards(source, tokenizer, shard_bytes))]


def encode_shard(shard, tokenizer, vocab, prefix=None, phrases=None):
    """The Encoded of one shard (saved at `prefix`, when one is given)."""
    encoded = tokenize_shard(shard, tokenizer, phrases).encode(vocab)
    return encoded if prefix is None else save_shard(encoded, prefix)


def save_encoded(client, source, tokenizer, folder, shard_bytes=SHARD_BYTES, phrases=None):
    """`corpora.encoded.save` of `source` read on the workers (the Phrases `phrases` joined,
    if given), which write the shards into `folder` (on storage they share); returns (Vocab,
    tokens, ReadStats)."""
    from distributed import wait
    counts = count_corpus(client, source, tokenizer, shard_bytes, phrases)
    vocab = Vocab.from_counts(counts.types, counts.counts)
    done = encode_corpus(client, source, tokenizer, vocab, folder, shard_bytes, phrases)
    wait(done)
    for future in done:       # a shard's error, raised here; the shards stay where they are
        if future.status == "error":
            future.result()
    encoded.save(folder, vocab, tokenizer, counts.tokens, counts.stats, phrases=phrases)
    return vocab, counts.tokens, counts.stats


class Candidates(NamedTuple):
    """What phrases are learned from, counted over a run of shards: its types in first-seen
    order, their counts as words (connector words not counted), {gap: (distinct candidate
    rows of type ids, counts)}, its tokens, what reading saw."""

    types: list
    unigrams: np.ndarray
    tables: dict
    tokens: int
    stats: ReadStats


def shard_candidates(corpus, settings):
    """A shard's Candidates, under PhraseSettings `settings`."""
    unigrams, tables = count_candidates(corpus, settings)
    return Candidates(corpus.types, unigrams, tables, int(corpus.type_ids.size), corpus.stats)


def merge_candidates(a, b, max_vocab_size):
    """The Candidates of shard runs a and b, b read after a, pruned past `max_vocab_size`
    words and candidates as one machine prunes (from the lowest floor: so a pruned count may
    differ from one machine's)."""
    types, remap = _union(a.types, b.types)
    unigrams = _counts_added(a.unigrams, b.unigrams, remap, len(types))
    tables = merged_candidates(a.tables, b.tables, remap, len(types))
    unigrams, tables, _ = pruned(unigrams, tables, max_vocab_size)
    return Candidates(types, unigrams, tables, a.tokens + b.tokens, _stats_added(a.stats, b.stats))


def learn_phrases(client, source, tokenizer, settings, passes=1, shard_bytes=SHARD_BYTES):
    """(the PhraseTable of each pass, ReadStats) of `source`, as `Phrases(load_corpus(source,
    tokenizer), passes=passes)` with PhraseSettings `settings` learns them: each shard's
    candidates counted on a worker, merged in a tree, scored here; a later pass counts the
    shards, kept on the workers, with the earlier pass's phrases joined. The same phrases
    and scores as one machine while the words and candidates stay under
    `settings.max_vocab_size` (none is pruned)."""
    corpora = client.map(tokenize_shard, sentence_shards(source, tokenizer, shard_bytes),
                         tokenizer=tokenizer, pure=False)
    merge_two = functools.partial(merge_candidates, max_vocab_size=settings.max_vocab_size)
    tables = []
    for n in range(passes):
        counted = merged_in_order(client, merge_two, [
            client.submit(shard_candidates, c, settings, pure=False) for c in corpora])
        if n == 0:
            _check_tokens(source, counted.tokens, counted.stats)
            stats = counted.stats
        tables.append(phrase_table(counted.types, counted.unigrams, counted.tables,
                                   counted.tokens, settings))
        if n + 1 < passes:
            table = client.scatter(tables[-1], broadcast=True, hash=False)
            corpora = [client.submit(apply_phrases, c, table, settings, pure=False)
                       for c in corpora]
    return tables, stats


if __name__ == "__main__":   # local_cluster's process
    serve_local(int(sys.argv[1]))
