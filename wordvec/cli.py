"""The `wordvec` command: train, query, evaluate and convert word vectors."""
import json
import os
import sys
import time
from contextlib import nullcontext
from pathlib import Path

import click

from corpora import Phrases
from corpora.cli import tokenizer_options
from npnlp.cli import SOURCE, group, refuse_changed_settings
from npnlp.errors import UserError
from npnlp.files import output_lock
from npnlp.training import Interrupted
from wordvec.config import LOSSES, TrainConfig
from wordvec.evaluate import RESTRICT_VOCAB, evaluate_word_analogies, evaluate_word_pairs
from wordvec.fasttext_bin import (
    is_fasttext_bin,
    read_fasttext_model,
    save_facebook_model,
    write_fasttext_bin,
)
from wordvec.formats import FORMATS, UNICODE_ERRORS, check_target, format_from_name
from wordvec.run import (
    RESUME_CHANGES,
    checkpoint_path,
    is_trained_model,
    load_model,
    load_settings,
    resume_source,
    train_to,
)
from wordvec.vectors import FastTextKeyedVectors, KeyedVectors

TRAIN_FORMATS = FORMATS[:4]


@group
def main():
    """Train and query word2vec word vectors."""


# word2vec.c's, fastText's and gensim's names for train's options (see npnlp.cli.Group)
main.hints = {"train": {
    "train": "the CORPUS argument", "input": "the CORPUS argument", "output": "-o",
    "size": "--dim", "dim": "--dim", "vectorsize": "--dim", "window": "--window",
    "ws": "--window", "sample": "--sample", "negative": "--negative", "neg": "--negative",
    "hs": "--loss hierarchical, or hierarchical+negative with --negative N",
    "loss": "--loss", "cbow": "--cbow for -cbow 1, --sg for 0",
    "sg": "--sg or --cbow", "cbowmean": "--cbow-mean or --cbow-sum", "threads": "--workers",
    "thread": "--workers", "workers": "--workers", "iter": "--epochs", "epoch": "--epochs",
    "epochs": "--epochs", "mincount": "--min-count", "alpha": "--alpha", "lr": "--alpha",
    "minalpha": "--min-alpha", "binary": "--format binary, or a name ending .bin",
    "savevocab": "--save-vocab", "maxfinalvocab": "--max-vocab", "seed": "--seed",
    "model": "--sg or --cbow"},
    "similar": {"topn": "--topn", "restrictvocab": "--restrict-vocab",
                "*": "-n {name} to subtract the word {name}"},
    "analogy": {"topn": "--topn", "restrictvocab": "--restrict-vocab"}}


class Workers(click.ParamType):
    """A number of workers: a whole number, 0 or 'auto' for one per core."""

    name = "N|auto"

    def convert(self, value, param, ctx):
        if isinstance(value, int) or str(value).isdecimal() and str(value).isascii():
            return int(value)
        if str(value).lower() == "auto":
            return 0
        self.fail(f"{value!r} is not a number of workers (a whole number, or 0 or 'auto' "
                  f"for one per core)", param, ctx)


WORKERS = Workers()


def vectors_argument(command):
    """Give `command` a VECTORS argument and --unicode-errors; it receives a KeyedVectors."""
    command = click.option("--unicode-errors", type=click.Choice(UNICODE_ERRORS),
                           default="strict", show_default=True,
                           help="Words that are not valid UTF-8 (word2vec.c cuts words at "
                           "100 bytes): fail, replace the bad bytes, or drop them.")(command)
    return click.argument("vectors", type=SOURCE)(command)


def load(vectors, unicode_errors="strict", limit=None):
    """Vectors from a native folder or a word2vec text/binary file (format detected)."""
    return KeyedVectors.load(vectors, unicode_errors=unicode_errors, limit=limit)


@main.command()
@click.argument("corpus", type=SOURCE)
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help="Where to write the vectors; see --format.")
@click.option("--format", "format_", type=click.Choice(TRAIN_FORMATS),
              help="word2vec text or binary, fastText's .bin model (which fastText and "
              "gensim load, unseen words included), or the native folder (which keeps what "
              "training needs to continue) [default: from OUTPUT's extension: .bin word2vec "
              "binary, .txt or .vec text, else native].")
@click.option("--sg/--cbow", default=TrainConfig.sg, show_default=True,
              help="Skip-gram, or continuous bag of words.")
@click.option("--cbow-mean/--cbow-sum", default=TrainConfig.cbow_mean, show_default=True,
              help="CBOW: the mean or the sum of the context vectors.")
@click.option("--loss", type=click.Choice(LOSSES, case_sensitive=False), default=TrainConfig.loss,
              show_default=True,
              help="Negative sampling, hierarchical softmax, the exact softmax (slow "
              "beyond a few thousand words), or the first two at once (word2vec.c's -hs 1 "
              "-negative 5).")
@click.option("--dim", type=click.IntRange(min=1), default=TrainConfig.dim, show_default=True,
              help="Dimensions of the vectors.")
@click.option("--window", type=click.IntRange(min=1), default=TrainConfig.window, show_default=True,
              help="Largest distance to a context word (each centre draws its own from "
              "1..WINDOW).")
@click.option("--negative", type=click.IntRange(min=0),
              default=TrainConfig.negative, show_default=True,
              help="Noise words per centre word, with negative sampling.")
@click.option("--ns-exponent", type=click.FloatRange(-10, 10),
              default=TrainConfig.ns_exponent, show_default=True,
              help="Noise words are drawn with probability proportional to count ** this "
              "(gensim's ns_exponent; 0: uniform).")
@click.option("--subwords", is_flag=True,
              help="fastText's model: a word is the mean of its vector and its character "
              "n-grams' (--minn to --maxn characters, hashed into --buckets rows), so unseen "
              "words get vectors too.")
@click.option("--minn", type=click.IntRange(min=1), default=TrainConfig.minn, show_default=True,
              help="Shortest n-gram, in characters, with --subwords.")
@click.option("--maxn", type=click.IntRange(min=0), default=TrainConfig.maxn, show_default=True,
              help="Longest n-gram, with --subwords (0: none, plain word2vec).")
@click.option("--buckets", type=click.IntRange(min=1),
              default=TrainConfig.buckets, show_default=True,
              help="Rows the n-grams are hashed into, with --subwords (fastText's -bucket).")
@click.option("--sample", type=click.FloatRange(0, 1, max_open=True), default=TrainConfig.sample,
              show_default=True, help="Subsampling threshold of frequent words (0: none).")
@click.option("--min-count", type=click.IntRange(min=1),
              default=TrainConfig.min_count, show_default=True,
              help="Leave out words seen fewer times.")
@click.option("--max-vocab", type=click.IntRange(min=1),
              help="Keep only the N most frequent words of those --min-count keeps (gensim's "
              "max_final_vocab).")
@click.option("--epochs", type=click.IntRange(min=1), default=TrainConfig.epochs, show_default=True,
              help="Passes over the corpus.")
@click.option("--alpha", type=click.FloatRange(0, 10, min_open=True, max_open=True),
              help="Starting learning rate [default: 0.025 for skip-gram, and for CBOW with "
              "hierarchical softmax alone or with negative sampling; 0.05 for other CBOW].")
@click.option("--min-alpha", type=click.FloatRange(0),
              help="Final learning rate [default: alpha * 1e-4].")
@click.option("--batch", type=click.IntRange(min=1),
              help="Centre words per update step [default: chosen from the vocabulary, the "
              "objective and --workers (docs/wordvec.md); at most 1000 for skip-gram, 3000 "
              "CBOW, 700 with hierarchical softmax (alone or with negative sampling), 250 the "
              "exact softmax].")
@click.option("--workers", type=WORKERS, default=TrainConfig.workers, show_default=True,
              help="Processes training at once on shared weights (Hogwild, as word2vec.c "
              "and gensim), 0 or 'auto' for one per core: faster, but their updates race, "
              "so only one worker gives the same vectors for the same seed.")
@click.option("--dask", metavar="ADDRESS", help="Train on a Dask cluster: a scheduler's "
              "address (tcp://host:8786), or local:N for N worker processes here. Each word's "
              "rows are owned by one worker at a time (docs/wordvec.md); negative sampling "
              "only. Needs pip install \"numpy-nlp[dask]\".")
@click.option("--seed", type=click.IntRange(min=0), default=TrainConfig.seed, show_default=True,
              help="The same seed and settings give the same vectors.")
@click.option("--resume", is_flag=True,
              help="Continue the interrupted run that wrote OUTPUT.checkpoint, or a model "
              "trained into the native folder OUTPUT, with its settings; --epochs (more), "
              "--workers, --alpha and --min-alpha may change.")
@click.option("--save-vocab", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the vocabulary, `word count` lines as word2vec.c's.")
@click.option("--phrases", "phrases_file", type=click.Path(dir_okay=False, exists=True),
              help="Join the phrases of this file (`corpora phrases` writes it) into tokens "
              "before training: vectors for new_york.")
@tokenizer_options
@click.option("--no-cache", is_flag=True, help="Tokenize again, neither reading nor writing "
              "the token cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Cache root [default: $NPNLP_CACHE_DIR, else $XDG_CACHE_HOME/npnlp, else "
              "~/.cache/npnlp].")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
@click.pass_context
def train(ctx, corpus, output, format_, resume, save_vocab, phrases_file, tokenizer, no_cache,
          cache_dir, quiet, dask, **settings):
    """Train word2vec vectors on CORPUS (a text file or folder; see `corpora` for how it is
    read and tokenized: the tokens are cached, so a second run starts at once), or on the
    folder `corpora encode` wrote of one.

    A checkpoint is kept in OUTPUT.checkpoint at every epoch end and on Ctrl-C; --resume
    continues from it to the same vectors an uninterrupted run gives (with one worker and
    no setting changed). A model written to a native folder trains further with --resume
    and a larger --epochs, its learning rate then following the longer run's schedule.
    """
    if str(output) == "-":
        raise click.UsageError("train writes files (and a checkpoint beside them): give -o a "
                               "path; `wordvec convert OUT - --to text` prints vectors")
    format_ = format_ or format_from_name(output)
    check_target(output, format_, [corpus] + ([phrases_file] if phrases_file else []))
    ctx.with_resource(output_lock(output))   # before the checks: a second run is refused
    resume_from = resume_source(output, resume)
    changes = None
    if resume_from:
        typed = refuse_changed_settings(ctx, settings, load_settings(resume_from),
                                        RESUME_CHANGES)
        changes = {n: settings[n] for n in typed & set(RESUME_CHANGES)}
    config, cluster = TrainConfig(**settings), nullcontext()
    if dask is not None:
        if ctx.get_parameter_source("workers") != click.core.ParameterSource.DEFAULT:
            raise UserError("--workers counts processes on this machine: with --dask, the "
                            "cluster's workers train")
        from corpora.cluster import connect
        from wordvec.cluster import check_config
        check_config(config)
        cluster = connect(dask)      # a cluster lost on the way is a one-line error
    start = time.perf_counter()
    try:
        with cluster as client:
            model, state = train_to(output, format_, corpus, config, tokenizer, resume_from,
                                    changes, Phrases.load(phrases_file) if phrases_file else None,
                                    save_vocab, cluster=client, progress=not quiet,
                                    cache=not no_cache, cache_dir=cache_dir)
    except Interrupted as stop:
        click.echo(f"Interrupted in epoch {stop.state.epoch + 1}: the run is saved in "
                   f"{checkpoint_path(output)}; add --resume to continue it.", err=True)
        sys.exit(130)
    if not quiet:
        seconds = time.perf_counter() - start
        click.echo(f"{len(model.words):,} words x {model.config.dim} written to {output}; "
                   f"loss per pair by epoch: {', '.join(f'{x:.3f}' for x in state.epoch_loss)}"
                   f"; {seconds:.0f} s", err=True)


@main.command()
@vectors_argument
@click.argument("words", nargs=-1)
@click.option("-n", "--negative", multiple=True, metavar="WORD",
              help="A word to subtract (repeat for more).")
@click.option("--topn", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many neighbours to print.")
@click.option("--restrict-vocab", type=click.IntRange(min=1),
              help="Search only the N most frequent words.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per query.")
def similar(vectors, words, negative, topn, restrict_vocab, as_json, unicode_errors):
    """The nearest neighbours of WORDS (their sum, minus any --negative words), as
    word2vec.c's `distance`.

    With no WORDS, reads one query per line from standard input, the vectors loaded once;
    a word written `-word` is subtracted; EXIT or the end of input stops.
    """
    if vectors == "-" and not (words or negative):
        raise click.UsageError("the vectors come from standard input, so give the query words "
                               "as arguments")
    kv = load(vectors, unicode_errors)

    def answer(positive, negative, interactive=False):
        _answer(lambda: kv.most_similar(list(positive), list(negative), topn,
                                        restrict_vocab=restrict_vocab),
                {"positive": list(positive), "negative": list(negative)}, as_json, interactive,
                built=_from_ngrams(kv, [*positive, *negative]))

    if words or negative:
        _check_glued_negative(click.get_current_context(), negative, kv)
        answer(words, negative)
        return
    for line in _interactive("Enter word or sentence (EXIT to break): "):
        tokens = line.split()
        answer([w for w in tokens if not w.startswith("-")],
               [w[1:] for w in tokens if w.startswith("-") and len(w) > 1], interactive=True)


@main.command()
@vectors_argument
@click.argument("words", nargs=-1)
@click.option("--topn", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many neighbours to print.")
@click.option("--cosmul", is_flag=True, help="3CosMul (Levy & Goldberg) instead of 3CosAdd.")
@click.option("--restrict-vocab", type=click.IntRange(min=1),
              help="Search only the N most frequent words.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per query.")
def analogy(vectors, words, topn, cosmul, restrict_vocab, as_json, unicode_errors):
    """A is to B as C is to ?: the words nearest to B - A + C, as word2vec.c's
    `word-analogy`. WORDS are A B C; with none, reads `A B C` lines from standard input
    (EXIT or the end of input stops)."""
    if words and len(words) != 3:
        raise click.UsageError(f"give three words A B C, not {len(words)}")
    if vectors == "-" and not words:
        raise click.UsageError("the vectors come from standard input, so give the words A B C "
                               "as arguments")
    kv = load(vectors, unicode_errors)
    similar_to = kv.most_similar_cosmul if cosmul else kv.most_similar

    def answer(abc, interactive=False):
        def search():
            if len(abc) != 3:
                raise ValueError(f"give three words A B C, not {len(abc)}")
            a, b, c = abc
            return similar_to([b, c], [a], topn, restrict_vocab=restrict_vocab)

        query = dict(zip("abc", abc)) if len(abc) == 3 else {"words": list(abc)}
        _answer(search, query, as_json, interactive,
                "3CosMul score" if cosmul else "Cosine similarity", _from_ngrams(kv, abc))

    if words:
        answer(words)
        return
    for line in _interactive("Enter three words A B C (EXIT to break): "):
        answer(line.split(), interactive=True)


@main.command()
@vectors_argument
@click.option("--analogies", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
              help="Analogy questions in the format of word2vec's questions-words.txt; '-' "
              "for standard input.")
@click.option("--similarity", multiple=True,
              type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
              help="Word pairs with human scores (WordSim-353, SimLex-999); repeatable; '-' "
              "for standard input.")
@click.option("--restrict-vocab", type=click.IntRange(min=1), default=RESTRICT_VOCAB,
              show_default=True, help="Use only the N most frequent words.")
@click.option("--cosmul", is_flag=True, help="Answer analogies by 3CosMul, not 3CosAdd.")
@click.option("--case-sensitive", is_flag=True, help="Do not fold case when matching words.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def evaluate(vectors, analogies, similarity, restrict_vocab, cosmul, case_sensitive, as_json,
             unicode_errors):
    """Score VECTORS on word analogies and word-pair similarity, with gensim's conventions
    (questions with a word outside the vocabulary are skipped and counted)."""
    if not analogies and not similarity:
        raise click.UsageError("give --analogies FILE and/or --similarity FILE")
    if [str(p) for p in (vectors, analogies, *similarity)].count("-") > 1:
        raise click.UsageError("only one of VECTORS, --analogies and --similarity can be '-'")
    kv = load(vectors, unicode_errors)
    report = {}
    if analogies:
        result = evaluate_word_analogies(kv, analogies, restrict_vocab, not case_sensitive,
                                         cosmul)
        report["analogies"] = _analogy_report(analogies, result)
    for path in similarity:
        result = evaluate_word_pairs(kv, path, restrict_vocab, not case_sensitive)
        report.setdefault("similarity", []).append(
            {"file": str(path), "pairs": result.pairs, "oov": result.oov,
             "pearson": result.pearson, "spearman": result.spearman})
    if as_json:
        click.echo(json.dumps(report, indent=1))
    else:
        _print_report(report)


@main.command()
@click.argument("source", type=SOURCE)
@click.argument("output", type=click.Path(allow_dash=True))
@click.option("--to", "to", type=click.Choice(FORMATS),
              help="Format to write [default: from OUTPUT's extension: .bin binary, .txt or "
              ".vec text, a .gz or .bz2 after it compressing; no extension: native].")
@click.option("--limit", type=click.IntRange(min=1), help="Keep only the first N words.")
@click.option("--unicode-errors", type=click.Choice(UNICODE_ERRORS), default="strict",
              show_default=True, help="Words of SOURCE that are not valid UTF-8.")
def convert(source, output, to, limit, unicode_errors):
    """Convert SOURCE (word2vec text or binary, fastText's .bin, format detected, or a native
    folder) to OUTPUT: word2vec text or binary, fastText's .bin (from a fastText .bin or a
    model `wordvec train` wrote to a native folder), the native folder (memory-mapped
    loading), or a folder with the Embedding Projector's vectors.tsv and metadata.tsv."""
    if to is None:
        to = format_from_name(Path(output))
        if to == "native" and Path(output).suffix and not output.endswith(("/", os.sep)):
            # out.gz, out.tsv: not a folder's name (out.d/ is)
            raise click.UsageError(f"cannot tell the format from the name {output}: give "
                                   f"--to ({', '.join(FORMATS)})")
    check_target(output, to, [source])
    if to == "native" and is_trained_model(Path(output)):
        raise UserError(f"{output} holds a model `wordvec train` can resume: not replacing it "
                        f"with vectors alone")
    if to == "fasttext":
        return _convert_to_fasttext(source, output, limit)
    kv = load(source, unicode_errors, limit)
    if to == "native":
        kv.save(output)
    elif to == "projector":
        kv.save_projector(output)
    else:
        kv.save_word2vec_format(output, binary=to == "binary")


def _convert_to_fasttext(source, output, limit):
    """fastText's .bin holds a model (output table, counts, settings), not vectors alone."""
    if limit or output == "-":
        raise click.UsageError("--to fasttext writes a whole model to a file: no --limit, "
                               "no '-'")
    if is_fasttext_bin(source):
        write_fasttext_bin(output, read_fasttext_model(source))
    elif is_trained_model(source):
        save_facebook_model(load_model(source)[0], output)
    else:
        raise UserError(f"{source} holds vectors alone; fastText's .bin needs a model (its "
                        f"output table and counts): convert the native folder `wordvec "
                        f"train` wrote, or a fastText .bin")


def _check_glued_negative(ctx, negative, kv):
    """Click reads `king -night` as `-n ight`: when such a word is unknown, say so."""
    args = ctx.find_root().meta.get("npnlp.args", [])
    for arg in args:
        if arg.startswith("-n") and len(arg) > 2 and arg[2:] in negative and arg[2:] not in kv:
            raise UserError(f"{arg} was read as -n {arg[2:]}; to subtract {arg[1:]!r}, write "
                            f"-n {arg[1:]}")


def _from_ngrams(kv, words):
    """The query words outside the vocabulary whose vectors subword vectors build."""
    return [w for w in words if isinstance(kv, FastTextKeyedVectors) and kv.is_oov(w)]


def _answer(search, query, as_json, interactive, heading="Cosine similarity", built=()):
    """Print the neighbours `search()` finds for `query`. A query it cannot answer (a word
    outside the vocabulary, words that cancel out) ends the command, or when reading
    queries from standard input is reported and skipped: on standard error, or with --json
    as an object with an "error", so that every query still gets one line. `built`: words
    of the query whose vectors come from their n-grams only, said on standard error (with
    --json, as "from_ngrams")."""
    if built:
        if as_json:
            query = {**query, "from_ngrams": list(built)}
        else:
            click.echo(f"Not in the vocabulary, built from n-grams: {', '.join(built)}",
                       err=True)
    try:
        results = search()
    except (KeyError, ValueError) as e:
        if not interactive:
            raise UserError(e.args[0]) from None
        if as_json:
            click.echo(json.dumps({"query": query, "error": e.args[0]}, ensure_ascii=False))
        else:
            click.echo(e.args[0], err=True)
        return
    _print(results, query, as_json, heading)


def _interactive(prompt):
    """Lines of standard input until EXIT or its end; the prompt only on a terminal."""
    tty = sys.stdin.isatty()
    while True:
        if tty:
            click.echo(prompt, nl=False, err=True)
        line = sys.stdin.readline()
        if not line or line.strip() == "EXIT":
            return
        if line.strip():
            yield line


def _print(results, query, as_json, heading):
    """The neighbours as word2vec.c's distance prints them (under the heading of what they
    are: word2vec.c's says "Cosine distance" over similarities), or as one JSON object."""
    if as_json:
        rows = [{"word": w, "similarity": s} for w, s in results]
        click.echo(json.dumps({"query": query, "results": rows}, ensure_ascii=False))
        return
    click.echo(f"{'Word':>50}       {heading}\n{'-' * 72}")
    for word, score in results:
        click.echo(f"{word:>50}\t\t{score:f}")
    click.echo()


def _analogy_report(path, result):
    def row(s):
        return {"section": s.name, "correct": len(s.correct),
                "total": len(s.correct) + len(s.incorrect), "accuracy": s.accuracy}

    return {"file": str(path), "questions": result.questions, "oov": result.oov,
            "sections": [row(s) for s in [*result.sections, result.total]],
            "subtotals": [row(s) for s in result.subtotals]}


def _print_report(report):
    if "analogies" in report:
        a = report["analogies"]
        click.echo(f"{a['file']}: {a['oov']:,} of {a['questions']:,} questions skipped "
                   f"(a word outside the vocabulary)")
        click.echo(f"  {'section':<28}{'correct':>9}{'total':>8}{'accuracy':>10}")
        for s in [*a["sections"][:-1], *a["subtotals"], a["sections"][-1]]:
            accuracy = f"{100 * s['accuracy']:>9.1f}%" if s["total"] else f"{'-':>10}"
            click.echo(f"  {s['section']:<28}{s['correct']:>9,}{s['total']:>8,}{accuracy}")
    for s in report.get("similarity", []):
        click.echo(f"{s['file']}: {s['pairs']} pairs ({s['oov']} skipped)  "
                   f"Pearson {s['pearson']:.4f}  Spearman {s['spearman']:.4f}")
