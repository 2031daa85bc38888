"""The `charlm` command: train character language models, sample from them, score text."""
import dataclasses
import math
import sys
from pathlib import Path

import click

from charlm.config import CELLS, OPTIMIZERS, CharConfig
from charlm.data import load_text
from charlm.model import CharRNN
from charlm.plot import read_log, write_svg
from charlm.sample import generate, samples
from charlm.train import Interrupted, Paths, evaluate, load, train
from corpora import load_chars
from npnlp.cli import OUTPUT, SOURCE, group, refuse_changed_settings
from npnlp.errors import UserError
from npnlp.files import check_output, output_lock
from npnlp.memory import check_fits

NETWORK = {"cell", "hidden", "layers", "embed"}   # what --init-from keeps of its model


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


@main.command("train")
@click.argument("text", type=SOURCE)
@click.option("-o", "--output", "checkpoint", required=True, type=click.Path(dir_okay=False),
              metavar="CHECKPOINT",
              help="The best model by validation loss; CHECKPOINT.last (the latest state, "
              "to resume from) and CHECKPOINT.log.csv (one line per validation) beside it.")
@click.option("--cell", type=click.Choice(CELLS, case_sensitive=False), default="lstm",
              show_default=True)
@click.option("--hidden", type=click.IntRange(min=1), default=256, show_default=True,
              help="Units per recurrent layer.")
@click.option("--layers", type=click.IntRange(min=1), default=2, show_default=True)
@click.option("--dropout", type=click.FloatRange(0, 1, max_open=True), default=0.2,
              show_default=True, help="Between layers and before the output, in training.")
@click.option("--embed", type=click.IntRange(min=1), default=64, show_default=True,
              help="Dimensions of the character embedding.")
@click.option("--seq-len", type=click.IntRange(min=1), default=100, show_default=True,
              help="Steps of truncated backpropagation through time.")
@click.option("--batch", type=click.IntRange(min=1), default=64, show_default=True,
              help="Parallel streams over the text.")
@click.option("--epochs", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--steps", type=click.IntRange(min=1), help="Train this many steps instead.")
@click.option("--optimizer", type=click.Choice(OPTIMIZERS, case_sensitive=False),
              default="adam", show_default=True)
@click.option("--lr", type=click.FloatRange(0, min_open=True), default=2e-3, show_default=True)
@click.option("--lr-decay", type=click.FloatRange(0, 1, min_open=True), default=0.97,
              show_default=True, help="Multiply the learning rate by this after each epoch...")
@click.option("--decay-after", type=click.IntRange(min=0), default=5, show_default=True,
              help="...from this epoch on.")
@click.option("--clip", type=click.FloatRange(0, min_open=True), default=5.0,
              show_default=True, help="Largest global gradient norm.")
@click.option("--val-fraction", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=0.1,
              show_default=True, help="The end of the text kept for validation.")
@click.option("--eval-every", type=click.IntRange(min=1), default=200, show_default=True,
              help="Steps between validations and checkpoints.")
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True,
              help="The same seed and settings give the same model.")
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
    if paths.best.exists() and not paths.last.exists() and not (resume or force):
        raise UserError(f"{paths.best} exists: training would replace it with the new run's "
                        f"model; add --force to replace it, or choose another -o")
    if paths.last.exists() and not (resume or force):
        raise UserError(f"{paths.last} holds an earlier run: add --resume to continue it, or "
                        f"--force to start over")
    if resume:
        if not paths.last.is_file():
            raise UserError(f"nothing to resume: no {paths.last}")
        model, vocab, state, optimizer_state, hidden = load(paths.last)
        extend = {"steps", "epochs", "lr"}   # a resumed run may be made longer, or its rate
        typed = refuse_changed_settings(ctx, settings, model.config.to_dict(), extend)
        config = model.config = dataclasses.replace(
            model.config, **{n: settings[n] for n in typed & extend})
        if "lr" in typed:   # from here on; the decay after each epoch goes on from it
            state.lr = config.lr
    elif init_from:
        base, base_vocab, *_ = load(init_from)
        refuse_changed_settings(ctx, settings, base.config.to_dict(), set(settings) - NETWORK,
                                f"--init-from keeps the network of {init_from}")
        config = CharConfig(**{**settings, **{n: getattr(base.config, n) for n in NETWORK}})
    else:
        config = CharConfig(**settings)
    data = load_text(text, config.val_fraction, progress=not quiet, cache=not no_cache,
                     base=base_vocab if init_from else None)
    check_fits(CharRNN.memory_needed(config, len(data.vocab)),
               f"a {config.layers}-layer {config.cell} of {config.hidden:,} units with "
               f"{config.embed:,}-dimension embeddings")
    if not resume:
        vocab, state, optimizer_state, hidden = data.vocab, None, None, None
        model = CharRNN(config, len(vocab))
        if init_from:
            model.take_weights(base, vocab, base_vocab)
            added = "".join(c for c in vocab.chars if c not in base_vocab)
            if added:
                click.echo(f"Warning: {len(added)} character{'s' * (len(added) > 1)} of "
                           f"{text} that {init_from} never saw start untrained: "
                           f"{', '.join(map(repr, added[:20]))}"
                           f"{' ...' if len(added) > 20 else ''}", err=True)
    elif data.vocab.chars != vocab.chars or len(data.train) + len(data.val) != state.text_length:
        raise UserError(f"{text} is not the text {paths.last} was trained on")
    done = state.step if resume else 0
    try:
        state = train(model, vocab, data, paths, state, optimizer_state, hidden,
                      progress=not quiet)
    except Interrupted as stop:
        click.echo(f"Interrupted at step {stop.state.step}: saved in {paths.last}; add "
                   f"--resume to continue.", err=True)
        sys.exit(130)
    if resume and state.step == done:
        click.echo(f"Nothing to resume: the run in {paths.last} has done its {done:,} steps; "
                   f"raise --steps or --epochs to train longer.", err=True)
    uniform = math.log(len(vocab))
    if state.best_val > uniform:
        click.echo(f"Warning: the best validation loss, {state.best_val:.4f} nats/char, is "
                   f"worse than guessing uniformly among the {len(vocab)} characters "
                   f"({uniform:.4f}): the model learned nothing; try a lower --lr (now "
                   f"{config.lr:g})", err=True)
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
