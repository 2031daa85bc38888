"""The `corpora` command."""
from pathlib import Path

import click

from corpora import download, synth
from corpora.errors import UserError
from corpora.registry import REGISTRY


class Group(click.Group):
    """A click group that turns `UserError` and OS errors into a one-line message and exit 1.

    Every command line of the toolkit (`corpora`, `wordvec`, `charlm`) uses it, so bad input
    never ends in a traceback.
    """

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except UserError as e:
            raise click.ClickException(str(e)) from None
        except OSError as e:
            where = f": {e.filename}" if getattr(e, "filename", None) else ""
            raise click.ClickException(f"{e.strerror or e}{where}") from None


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="npnlp")
def main():
    """Read, tokenize and fetch text corpora."""


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


@main.command("synth")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write the corpus to.")
@click.option("-n", "--sentences", type=click.IntRange(min=1), default=synth.DEFAULT_SENTENCES,
              show_default=True, help="Number of sentences.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Random seed; the same seed writes the same bytes.")
@click.option("--analogies", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the planted analogy questions here, in the format of "
              "word2vec's questions-words.txt.")
def synth_command(output, sentences, seed, analogies):
    """Write a synthetic corpus with planted regularities for word vectors to recover.

    Gender (king:queen::man:woman), capital and country (paris:france::berlin:germany) and
    past tense (walk:walked::eat:ate) are each carried by context words alone. One lowercase
    sentence a line; the default is about 1.6 MB and 300,000 tokens, written in well under a
    second.
    """
    synth.write(output, sentences, seed)
    if analogies:
        synth.write_analogies(analogies)
