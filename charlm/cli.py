"""The `charlm` command: train character language models, sample from them, score text."""
import math
import sys
from pathlib import Path

import click

from charlm.config import CELLS, OPTIMIZERS, CharConfig
from charlm.plot import read_log, write_svg
from charlm.sample import generate, samples
from charlm.train import NETWORK, RESUME_CHANGES, Interrupted, Paths, evaluate, fit, load
from corpora import load_chars
from npnlp.cli import OUTPUT, SOURCE, group, refuse_changed_settings
from npnlp.errors import UserError
from npnlp.files import check_output, output_lock
from npnlp.memory import check_fits


@group
def main():
    """Train character-level language models and sample text from them."""


# char-rnn's and torch-rnn's names for the options (see npnlp.cli.Group)
main.hints = {
    "train": {"rnnsize": "--hidden", "numlayers": "--layers", "model": "--cell",
              "modeltype": "--cell", "learningrate": "--lr", "learningratedecay": "--lr-decay",
              "lrdecayfactor": "--lr-decay", "learningratedecayafter": "--decay-after",
              "seqlength": "--seq-len", "batchsize": "--batch", "maxepochs": "--epochs",
              "numepochs": "--epochs", "gradclip": "--clip, a limit on the global norm",
              "valfrac": "--val-fraction", "evalvalevery": "--eval-every",
              "checkpointevery": "--eval-every", "wordvecsize": "--embed",
              "checkpointdir": "-o", "savefile": "-o", "dropout": "--dropout", "seed": "--seed",
              "datadir": "the TEXT argument", "gpuid": "CPU only: charlm has no GPU option",
              "opencl": "CPU only: charlm has no GPU option", "hidden": "--hidden",
              "layers": "--layers", "lr": "--lr", "batch": "--batch", "epochs": "--epochs"},
    "sample": {"primetext": "--prime", "starttext": "--prime", "sample": "--greedy for -sample 0",
               "checkpoint": "the CHECKPOINT argument", "temperature": "--temperature",
               "length": "--length", "seed": "--seed", "topk": "--top-k", "topp": "--top-p",
               "gpuid": "CPU only: charlm has no GPU option"}}


def setting(option, type, help=None):
    """An option for the CharConfig field of its name, defaulting to the field's default."""
    default = getattr(CharConfig, option.lstrip("-").replace("-", "_"))
    return click.option(option, type=type, default=default, show_default=True, help=help)


@main.command("train")
@click.argument("text", type=SOURCE)
@click.option("-o", "--output", "checkpoint", required=True, type=click.Path(dir_okay=False),
              metavar="CHECKPOINT",
              help="The best model by validation loss; CHECKPOINT.last (the latest state, "
              "to resume from) and CHECKPOINT.log.csv (one line per validation) beside it.")
@setting("--cell", click.Choice(CELLS, case_sensitive=False))
@setting("--hidden", click.IntRange(min=1), "Units per recurrent layer.")
@setting("--layers", click.IntRange(min=1))
@setting("--dropout", click.FloatRange(0, 1, max_open=True),
         "Between layers and before the output, in training.")
@setting("--embed", click.IntRange(min=1), "Dimensions of the character embedding.")
@setting("--seq-len", click.IntRange(min=1), "Steps of truncated backpropagation through time.")
@setting("--batch", click.IntRange(min=1), "Parallel streams over the text.")
@setting("--epochs", click.IntRange(min=1))
@setting("--steps", click.IntRange(min=1), "Train this many steps instead.")
@setting("--optimizer", click.Choice(OPTIMIZERS, case_sensitive=False))
@setting("--lr", click.FloatRange(0, min_open=True))
@setting("--lr-decay", click.FloatRange(0, 1, min_open=True),
         "Multiply the learning rate by this after each epoch...")
@setting("--decay-after", click.IntRange(min=0), "...from this epoch on.")
@setting("--clip", click.FloatRange(0, min_open=True), "Largest global gradient norm.")
@setting("--val-fraction", click.FloatRange(0, 1, min_open=True, max_open=True),
         "The end of the text kept for validation.")
@setting("--eval-every", click.IntRange(min=1), "Steps between validations and checkpoints.")
@setting("--seed", click.IntRange(min=0), "The same seed and settings give the same model.")
@click.option("--resume", is_flag=True, help="Continue from CHECKPOINT.last, with its settings "
              "(--steps or --epochs may extend it and --lr change it; others stay as saved).")
@click.option("--init-from", type=click.Path(dir_okay=False),
              help="Fine-tune: start from this trained checkpoint's weights (char-rnn's "
              "-init_from), its network (--cell, --hidden, --layers, --embed) kept; characters "
              "TEXT adds start untrained.")
@click.option("--force", is_flag=True, help="Start over: replace an existing CHECKPOINT and the "
              "run files beside it (CHECKPOINT.last, CHECKPOINT.log.csv).")
@click.option("--no-cache", is_flag=True, help="Read the text again, neither reading nor "
              "writing the character cache (`corpora cache` lists and clears it).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
@click.pass_context
def train_command(ctx, text, checkpoint, resume, init_from, force, no_cache, quiet,
                  **settings):
    """Train a character language model on TEXT (a UTF-8 file or folder, '-' for standard
    input), keeping the model with the best validation loss in CHECKPOINT.

    Ctrl-C saves the run in CHECKPOINT.last; --resume continues it exactly as if it had not
    stopped.
    """
    if checkpoint == "-":
        raise click.UsageError("train writes a checkpoint and files beside it: give -o a path")
    if resume and init_from:
        raise click.UsageError("--resume continues this run; --init-from starts a new one from "
                               "another's weights: give one or the other")
    paths = Paths(checkpoint)
    for path in (paths.best, paths.last, paths.log):
        check_output(path, [text])
    ctx.with_resource(output_lock(paths.best))   # before the checks: a second run is refused
    changes = None
    if resume and paths.last.is_file():   # without one, fit says there is nothing to resume
        saved = load(paths.last)[0].config.to_dict()
        typed = refuse_changed_settings(ctx, settings, saved, RESUME_CHANGES)
        changes = {n: settings[n] for n in typed & set(RESUME_CHANGES)}
    if init_from:
        refuse_changed_settings(ctx, settings, load(init_from)[0].config.to_dict(),
                                set(settings) - set(NETWORK),
                                f"--init-from keeps the network of {init_from}")
    try:
        _, _, state = fit(text, checkpoint, CharConfig(**settings), resume, init_from, force,
                          changes, progress=not quiet, cache=not no_cache)
    except Interrupted as stop:
        click.echo(f"Interrupted at step {stop.state.step}: saved in {paths.last}; add "
                   f"--resume to continue.", err=True)
        sys.exit(130)
    if not quiet:
        best = state.best_val
        click.echo(f"{state.step:,} steps; best validation loss {best:.4f} nats/char "
                   f"({best / math.log(2):.4f} bits/char), model in {paths.best}", err=True)


@main.command()
@click.argument("checkpoint", type=click.Path(dir_okay=False))
@click.option("-n", "--length", type=click.IntRange(min=0), default=1000, show_default=True,
              help="Characters to generate.")
@click.option("-t", "--temperature", type=click.FloatRange(0), default=1.0, show_default=True,
              help="Below 1: safer, more repetitive; above 1: more surprising; 0: greedy.")
@click.option("--top-k", type=click.IntRange(min=1), help="Draw among the K likeliest only.")
@click.option("--top-p", type=click.FloatRange(0, 1, min_open=True),
              help="Draw among the fewest likeliest characters that make up P.")
@click.option("--prime", default="", help="Text the model reads first; output continues it.")
@click.option("--prime-file", type=click.Path(dir_okay=False, allow_dash=True),
              help="Read the prime from this UTF-8 file ('-': standard input).")
@click.option("--stop", help="End a sample once it has generated this string (included).")
@click.option("--num-samples", type=click.IntRange(min=1), default=1, show_default=True,
              help="Samples to draw, in one batched pass; printed one after another, a blank "
              "line between them.")
@click.option("--seed", type=click.IntRange(min=0), help="Repeatable output.")
@click.option("--greedy", is_flag=True, help="Always the likeliest character (temperature 0).")
def sample(checkpoint, length, temperature, top_k, top_p, prime, prime_file, stop, num_samples,
           seed, greedy):
    """Generate text from CHECKPOINT, streamed to standard output as it comes."""
    ctx = click.get_current_context()
    source = ctx.get_parameter_source("temperature")
    if greedy and source == click.core.ParameterSource.COMMANDLINE and temperature != 0:
        raise click.UsageError("--greedy is temperature 0: give one or the other")
    if greedy and (top_k or top_p):
        raise click.UsageError("--greedy takes the likeliest character: --top-k and --top-p "
                               "do not apply")
    if prime_file and prime:
        raise click.UsageError("--prime and --prime-file: give one or the other")
    if stop == "":
        raise click.UsageError("--stop needs a string of at least one character")
    if prime_file:
        prime = _read_prime(prime_file)
    model, vocab, *_ = load(checkpoint)
    settings = (0 if greedy else temperature, top_k, top_p, prime, seed, stop)
    out = sys.stdout
    if num_samples > 1:
        c = model.config
        check_fits(num_samples * (len(vocab) + 8 * c.hidden * c.layers) * 8 * 4,
                   f"{num_samples:,} samples drawn at once")
        texts = samples(model, vocab, num_samples, length, *settings)
        out.write("\n\n".join(prime + text for text in texts) + "\n")
        return
    chars = generate(model, vocab, length, *settings)   # checks the settings and the prime
    out.write(prime)                                     # before any output
    for char in chars:
        out.write(char)
        if char == "\n":
            out.flush()
    out.write("\n")


def _read_prime(path):
    """The text of a prime file, as UTF-8: one line of error if it is not."""
    data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UserError(f"{path} is not UTF-8 text (byte {e.start:,})") from None


@main.command("plot")
@click.argument("checkpoint", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=OUTPUT,
              help="The SVG file to write ('-': standard output).")
def plot_command(checkpoint, output):
    """Draw the learning curve of the run that wrote CHECKPOINT (training and validation loss
    against the step, from CHECKPOINT.log.csv) as an SVG picture."""
    paths = Paths(checkpoint)
    log = paths.log
    check_output(output, [log, paths.best, paths.last])
    rows = read_log(log)
    write_svg(output, rows, f"{Path(checkpoint).name}: best validation loss "
                            f"{min(r['val_loss'] for r in rows):.4f} nats/char")


@main.command("evaluate")
@click.argument("checkpoint", type=click.Path(dir_okay=False))
@click.argument("text", type=SOURCE)
@click.option("--no-cache", is_flag=True, help="Read the text again, neither reading nor "
              "writing the character cache (`corpora cache` lists and clears it).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def evaluate_command(checkpoint, text, no_cache, quiet):
    """The loss of CHECKPOINT's model on TEXT, in nats and bits per character. Characters the
    model never saw cannot be predicted: they are left out of the text, and counted."""
    model, vocab, *_ = load(checkpoint)
    corpus = load_chars(text, cache=not no_cache, progress=not quiet)
    missing, counts = corpus.unseen(vocab)
    if len(missing):
        shown = ", ".join(f"{c!r} ({n:,})" for c, n in zip(missing[:10], counts[:10]))
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        click.echo(f"Warning: {counts.sum():,} characters the model never saw are left out of "
                   f"the text, not scored: {shown}{more}", err=True)
    loss = evaluate(model, corpus.encode(vocab, skip_unseen=True), progress=not quiet)
    click.echo(f"{loss:.4f} nats/char, {loss / math.log(2):.4f} bits/char")
