"""The command-line group every tool of the toolkit (`corpora`, `wordvec`, `charlm`) is built on."""
import os
import sys

import click

from npnlp.errors import UserError

CONTEXT = {"help_option_names": ["-h", "--help"]}
SOURCE = click.Path(allow_dash=True)  # a str: only the string '-' is standard input
OUTPUT = click.Path(dir_okay=False, allow_dash=True)  # '-' is standard output


class Group(click.Group):
    """A click group that turns `UserError` and OS errors into a one-line message and exit 1,
    and a closed output pipe (`| head`) into a silent exit: bad input never ends in a
    traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except UserError as e:
            raise click.ClickException(str(e)) from None
        except BrokenPipeError:
            _silence_stdout()
            ctx.exit(141)  # as a process killed by SIGPIPE
        except OSError as e:
            where = f": {e.filename}" if getattr(e, "filename", None) else ""
            raise click.ClickException(f"{e.strerror or e}{where}") from None


def group(command):
    """Make `command` a toolkit command group, with -h and --version."""
    command = click.group(cls=Group, context_settings=CONTEXT)(command)
    return click.version_option(package_name="npnlp")(command)


def _silence_stdout():
    """Point stdout at /dev/null, so that flushing it at exit does not raise again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor (a test runner's stream)
        pass
