"""The `corpora` command."""
import click

from corpora.errors import UserError


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
