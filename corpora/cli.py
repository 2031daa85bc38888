"""The `corpora` command."""
import functools
import time
from pathlib import Path

import click

from corpora import cache, download, encoded, synth
from corpora.corpus import load_corpus, write_sentences
from corpora.phrases import ENGLISH_CONNECTOR_WORDS, SCORERS, THRESHOLDS, Phrases
from corpora.registry import REGISTRY
from corpora.tokenize import MAX_TOKEN, Tokenizer, write_tokens
from corpora.vocab import Vocab
from npnlp.cli import OUTPUT, SOURCE, group
from npnlp.errors import UserError
from npnlp.files import atomic_write, cache_root, check_output, is_stdio


@group
def main():
    """Read, tokenize and fetch text corpora."""


def tokenizer_options(command):
    """Give `command` the Tokenizer settings as flags; it receives them as one `tokenizer`."""
    @functools.wraps(command)
    def wrapper(whitespace, lowercase, keep_punctuation, drop_numbers, sentence_per_line,
                **kwargs):
        tokenizer = Tokenizer(whitespace, lowercase, keep_punctuation, drop_numbers,
                              sentence_per_line)
        return command(tokenizer=tokenizer, **kwargs)

    flags = [   # (flag, default, help)
        ("--whitespace", False, "Split on whitespace only, punctuation attached (fast; text8)."),
        ("--lowercase", False, "Lowercase the text."),
        ("--keep-punctuation", False, "Keep punctuation characters as tokens of their own."),
        ("--drop-numbers", False, "Drop numbers (42, 3.14, 1,000)."),
        ("--sentence-per-line/--no-sentence-per-line", True, "Every line is a sentence, as "
         "word2vec.c, fastText and gensim's LineSentence read text (the default); with "
         "--no-sentence-per-line every file is one."),
    ]
    for flag, default, text in reversed(flags):
        wrapper = click.option(flag, is_flag=True, default=default, help=text)(wrapper)
    return wrapper


def corpus_options(command):
    """Give `command` the options of `_load`: --no-cache, --cache-dir, --quiet."""
    command = click.option("-q", "--quiet", is_flag=True,
                           help="No progress bar or summary.")(command)
    command = click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
                           help="Cache root, holding tokens/ [default: $NPNLP_CACHE_DIR, "
                                "else $XDG_CACHE_HOME/npnlp, else ~/.cache/npnlp].")(command)
    return click.option("--no-cache", is_flag=True,
                        help="Tokenize again, neither reading nor writing the cache.")(command)


PHRASES_OPTION = click.option(
    "--phrases", "phrases_file", type=click.Path(dir_okay=False, exists=True),
    help="Join the phrases of this file (`corpora phrases` writes it) into tokens.")


def dask_option(command):
    """Give `command` --dask ADDRESS: work on a Dask cluster instead of here."""
    return click.option("--dask", metavar="ADDRESS", help="Work on a Dask cluster: a "
                        "scheduler's address (tcp://host:8786), or local:N for N worker "
                        "processes here; the workers read the files at the same paths. The "
                        "result is the same as here. Needs pip install \"numpy-nlp[dask]\".")(
        command)


def _count(source, tokenizer, dask, **options):
    """(types in first-seen order, their counts, tokens, sentences, ReadStats) of `source`,
    here (through the cache) or on a Dask cluster."""
    if dask is None:
        corpus = _load(source, tokenizer, **options)
        return (corpus.types, corpus.counts, corpus.type_ids.size, len(corpus.offsets) - 1,
                corpus.stats)
    from corpora.cluster import connect, count_corpus
    with connect(dask) as client:
        counts = count_corpus(client, source, tokenizer)
    _warn(counts.stats, source)
    return counts.types, counts.counts, counts.tokens, counts.sentences, counts.stats


def _load(source, tokenizer, no_cache, cache_dir, quiet):
    """The Corpus of `source`, cached, with warnings for replaced bytes and cut runs."""
    corpus = load_corpus(source, tokenizer, cache=not no_cache, cache_dir=cache_dir,
                         progress=not quiet)
    _warn(corpus.stats, source)
    return corpus


main.hints = {"vocab": {"mincount": "--min-count", "maxvocab": "--max-vocab",
                        "maxfinalvocab": "--max-vocab", "output": "-o", "savevocab": "-o"},
              "tokenize": {"output": "-o", "lower": "--lowercase"}}


def _warn(stats, source):
    """Say on stderr what reading and tokenizing changed in the text of `source`."""
    if stats.replaced:
        click.echo(f"Warning: {stats.replaced:,} invalid UTF-8 sequences in {source} "
                   f"were replaced with U+FFFD", err=True)
    if stats.cuts:
        click.echo(f"Warning: runs of more than {MAX_TOKEN:,} characters without whitespace "
                   f"in {source} were cut {stats.cuts:,} times", err=True)


@main.command()
@click.argument("source", type=SOURCE)
@click.option("-o", "--output", required=True, type=OUTPUT,
              help="The tokenized text file to write; '-' for standard output.")
@PHRASES_OPTION
@tokenizer_options
@corpus_options
@dask_option
def tokenize(source, output, phrases_file, tokenizer, dask, **options):
    """Write the tokens of SOURCE (a file or folder; '-' for standard input) one sentence per
    line, separated by spaces: the input word2vec.c and fastText expect."""
    check_output(output, [source] + ([phrases_file] if phrases_file else []))
    if dask is not None:
        _tokenize_on_cluster(source, output, phrases_file, tokenizer, dask)
    elif phrases_file is None:
        with atomic_write(output) as out:
            stats = write_tokens(source, out, tokenizer, progress=not options["quiet"])
        _warn(stats, source)
    else:
        phrases = Phrases.load(phrases_file)
        corpus = phrases.apply(_load(source, tokenizer, **options))
        with atomic_write(output) as out:
            write_sentences(corpus, out)


def _tokenize_on_cluster(source, output, phrases_file, tokenizer, dask):
    """`tokenize` with the shards tokenized on a Dask cluster: the same text."""
    from corpora.cluster import connect, write_tokens
    phrases = Phrases.load(phrases_file) if phrases_file else None
    with connect(dask) as client, atomic_write(output) as out:
        stats = write_tokens(client, source, out, tokenizer, phrases)
    _warn(stats, source)


@main.command("phrases")
@click.argument("source", type=SOURCE)
@click.option("-o", "--output", required=True, type=OUTPUT,
              help="The phrases file to write (a line per phrase: pass, words, count, "
              "score); '-' for standard output.")
@click.option("--scoring", type=click.Choice(SCORERS), default="word2phrase",
              show_default=True, help="word2vec.c's word2phrase score, gensim's default "
              "(the same over the number of distinct words and pairs instead of the words), "
              "or gensim's npmi (normalised pointwise mutual information, in [-1, 1]).")
@click.option("--threshold", type=float, help="Pairs scoring above it are phrases [default: "
              "100 word2phrase, 10 default, 0.5 npmi].")
@click.option("--min-count", type=click.IntRange(min=1), default=5, show_default=True,
              help="Pairs seen fewer times are no phrase.")
@click.option("--passes", type=click.IntRange(1, 10), default=1, show_default=True,
              help="2 learns again on the joined text: phrases of 3 or 4 words.")
@click.option("--connectors", type=click.Choice(["none", "english"]), default="none",
              show_default=True, help="english: gensim's connector words (of, the, and, ...) "
              "may stand inside a phrase (bank_of_america), never start or end one.")
@click.option("--delimiter", default="_", show_default=True,
              help="What joins the words of a phrase.")
@click.option("--max-vocab", type=click.IntRange(min=1), default=40_000_000,
              show_default=True, help="Words and pairs counted before the rarest are pruned "
              "(bounds memory: 24 bytes a pair, more while merging).")
@tokenizer_options
@corpus_options
@dask_option
def phrases_command(source, output, scoring, threshold, min_count, passes, connectors,
                    delimiter, max_vocab, tokenizer, dask, **options):
    """Learn the phrases of SOURCE (a file or folder; '-' for standard input): pairs of words
    that occur together far more often than apart, such as "new york", as word2vec.c's
    word2phrase and gensim's Phrases find them."""
    check_output(output, [source])
    threshold = THRESHOLDS[scoring] if threshold is None else threshold
    settings = (min_count, threshold, max_vocab, delimiter, scoring,
                ENGLISH_CONNECTOR_WORDS if connectors == "english" else ())
    if dask is None:
        learned = Phrases(_load(source, tokenizer, **options), *settings, passes=passes)
    else:
        learned = _phrases_on_cluster(source, tokenizer, settings, passes, dask)
    if not len(learned):
        best = max(table.best for table in learned.passes)
        raise UserError(f"no pair of {source} scores above {threshold:g} with --min-count "
                        f"{min_count} (the highest: {best:.4g}): lower --threshold or "
                        f"--min-count")
    learned.save(output)
    if not options["quiet"]:
        top = max(((s, w) for t in learned.passes for w, s in zip(t.words, t.scores)))
        click.echo(f"{len(learned):,} phrases written to "
                   f"{'standard output' if is_stdio(output) else output} (by pass: "
                   f"{', '.join(str(len(t.words)) for t in learned.passes)}; the highest "
                   f"scoring: {delimiter.join(top[1])})", err=True)


def _phrases_on_cluster(source, tokenizer, settings, passes, dask):
    """The Phrases of `source` learned with the shards counted on a Dask cluster: the same
    phrases and scores."""
    from corpora.cluster import connect, learn_phrases
    learned = Phrases(None, *settings)   # the settings checked before the cluster starts
    with connect(dask) as client:
        learned.passes, stats = learn_phrases(client, source, tokenizer, learned.settings,
                                              passes)
    _warn(stats, source)
    return learned


@main.command()
@click.argument("source", type=SOURCE)
@click.option("-o", "--output", required=True, type=OUTPUT,
              help="The vocabulary file to write: `word count` lines, as word2vec.c writes; "
                   "'-' for standard output.")
@click.option("--min-count", type=click.IntRange(min=1), default=1, show_default=True,
              help="Leave out words seen fewer times.")
@click.option("--max-vocab", type=click.IntRange(min=1),
              help="Keep only this many words, the most frequent.")
@tokenizer_options
@corpus_options
@dask_option
def vocab(source, output, min_count, max_vocab, tokenizer, **options):
    """Count the words of SOURCE (a file or folder; '-' for standard input) and write its
    vocabulary, most frequent first."""
    check_output(output, [source])
    types, counts, tokens, _, _ = _count(source, tokenizer, **options)
    vocabulary = Vocab.from_counts(types, counts, min_count, max_vocab)
    vocabulary.save(output)
    if not options["quiet"]:
        click.echo(f"{len(vocabulary):,} words covering {vocabulary.counts.sum():,} of "
                   f"{tokens:,} tokens written to "
                   f"{'standard output' if is_stdio(output) else output}", err=True)


@main.command()
@click.argument("source", type=SOURCE)
@click.option("-o", "--output", required=True,
              help="The folder to write, new or empty; with --dask, on storage the workers "
                   "share.")
@PHRASES_OPTION
@tokenizer_options
@corpus_options
@dask_option
def encode(source, output, phrases_file, tokenizer, dask, **options):
    """Tokenize SOURCE (a file or folder; '-' for standard input) once and keep it in OUTPUT
    as token ids, with the vocabulary of all its words: `wordvec train OUTPUT` then starts
    at once, with any --min-count, here or on a Dask cluster (whose workers read the shards
    from OUTPUT)."""
    encoded.check_target(output, [source] + ([phrases_file] if phrases_file else []))
    phrases = Phrases.load(phrases_file) if phrases_file else None
    new = not Path(output).exists()
    try:
        if dask is None:
            corpus = _load(source, tokenizer, **options)
            if phrases is not None:
                corpus = phrases.apply(corpus)
            vocabulary = Vocab.from_counts(corpus.types, corpus.counts)
            tokens = corpus.type_ids.size
            encoded.save(output, vocabulary, tokenizer, tokens, corpus.stats,
                         corpus.encode(vocabulary), phrases)
        else:
            from corpora.cluster import connect, save_encoded
            with connect(dask) as client:
                vocabulary, tokens, stats = save_encoded(client, source, tokenizer, output,
                                                         phrases=phrases)
            _warn(stats, source)
    except BaseException:   # Ctrl-C or an error: no folder cut short is left to trust
        encoded.remove(output, new)
        raise
    if not options["quiet"]:
        click.echo(f"{len(vocabulary):,} words, {tokens:,} tokens encoded into {output}",
                   err=True)


@main.command()
@click.argument("source", type=SOURCE)
@click.option("--top", type=click.IntRange(min=0), default=10, show_default=True,
              help="How many of the most frequent words to list.")
@tokenizer_options
@corpus_options
@dask_option
def stats(source, top, tokenizer, **options):
    """Count the files, bytes, characters, lines, sentences, tokens and distinct tokens
    (types) of SOURCE (a file or folder; '-' for standard input), and list its most frequent
    words."""
    types, counts, tokens, sentences, read = _count(source, tokenizer, **options)
    for name, value in [("files", read.files), ("bytes", read.bytes), ("chars", read.chars),
                        ("lines", read.lines), ("sentences", sentences), ("tokens", tokens),
                        ("types", len(types))]:
        click.echo(f"{name:<10}{value:>16,}")
    if top:
        top_words = Vocab.from_counts(types, counts, max_vocab=top)
        click.echo(f"top {len(top_words)} words:")
        for word, count in zip(top_words.index_to_key, top_words.counts):
            click.echo(f"  {word:<16}{count:>10,}")


@main.command("fetch")
@click.argument("name", required=False)
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Cache root  [default: $NPNLP_CACHE_DIR, else $XDG_CACHE_HOME/npnlp, "
              "else ~/.cache/npnlp]")
@click.option("--mirror", metavar="URL",
              help="Base URL or folder serving the files under their own names  "
              "[default: $NPNLP_MIRROR, else each corpus's own URL]")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--list", "list_", is_flag=True, help="List the known corpora and exit.")
def fetch_command(name, cache_dir, mirror, quiet, list_):
    """Download corpus NAME, verify its size and sha256, and print the path of its text.

    A second call finds it in the cache and prints the path at once, so
    `$(corpora fetch text8)` can stand for the file in any command.
    """
    if list_:
        for corpus in REGISTRY.values():
            click.echo(f"{corpus.name:<16}{corpus.size / 1e6:6.1f} MB  {corpus.description}")
    elif name is None:
        raise click.UsageError("missing NAME; `corpora fetch --list` shows the known corpora")
    else:
        click.echo(download.fetch(name, cache_dir, mirror, progress=not quiet))


@main.command("cache")
@click.option("--clear", is_flag=True, help="Remove the token and character entries (a later "
              "read rebuilds what it needs).")
@click.option("--downloads", is_flag=True, help="With --clear, remove the downloaded corpora "
              "too.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Cache root [default: $NPNLP_CACHE_DIR, else $XDG_CACHE_HOME/npnlp, else "
              "~/.cache/npnlp].")
def cache_command(clear, downloads, cache_dir):
    """List what the cache holds (tokenized and character-coded texts, one entry per file
    version and tokenizer setting, and downloaded corpora) with their sizes, or clear it."""
    if downloads and not clear:
        raise click.UsageError("--downloads goes with --clear")
    root = cache_dir or cache_root()
    if clear:
        freed = cache.clear(root, downloads)
        kept = "" if downloads else "; downloaded corpora kept (add --downloads)"
        click.echo(f"Freed {_size(freed)} in {root}{kept}")
        return
    found = cache.entries(root)
    for e in found:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(e.mtime))
        click.echo(f"{e.kind:<9}{_size(e.bytes):>10}  {when}  {e.name}")
    click.echo(f"{len(found)} entries, {_size(sum(e.bytes for e in found))} in {root}")


def _size(n):
    return f"{n / 2**30:.1f} GB" if n >= 2**30 else f"{n / 2**20:.1f} MB"


@main.command("synth")
@click.option("-o", "--output", required=True, type=OUTPUT,
              help="File to write the corpus to; '-' for standard output.")
@click.option("-n", "--sentences", type=click.IntRange(min=1), default=synth.DEFAULT_SENTENCES,
              show_default=True, help="Number of sentences.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Random seed; the same seed writes the same bytes.")
@click.option("--analogies", type=OUTPUT,
              help="Also write the planted analogy questions here, in the format of "
              "word2vec's questions-words.txt; '-' for standard output.")
def synth_command(output, sentences, seed, analogies):
    """Write a synthetic corpus with planted regularities for word vectors to recover.

    Gender (king:queen::man:woman), capital and country (paris:france::berlin:germany) and
    past tense (walk:walked::eat:ate) are each carried by context words alone. One lowercase
    sentence a line; the default is about 1.6 MB and 300,000 tokens, written in well under a
    second.
    """
    check_output(output)
    if analogies:
        check_output(analogies)
        if not is_stdio(output) and Path(analogies).resolve() == Path(output).resolve():
            raise click.UsageError("-o and --analogies name the same file")
    synth.write(output, sentences, seed)
    if analogies:
        synth.write_analogies(analogies)
