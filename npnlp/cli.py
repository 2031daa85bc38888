"""The command-line group every tool of the toolkit (`corpora`, `wordvec`, `charlm`) is built on."""
import os
import sys
import warnings

import click

from npnlp import DISTRIBUTION
from npnlp.errors import Advice, UserError

CONTEXT = {"help_option_names": ["-h", "--help"]}
SOURCE = click.Path(allow_dash=True)  # a str: only the string '-' is standard input
OUTPUT = click.Path(allow_dash=True)  # '-' is standard output; check_output does the rest


class Group(click.Group):
    """A click group that turns `UserError` and OS errors into a one-line message and exit 1,
    an `Advice` warning into a one-line 'Warning: ...',
    a closed output pipe (`| head`) into a silent exit, and Ctrl-C into exit 130: bad input
    never ends in a traceback.

    `hints`: {command: {option of another tool: what to use here}}, the option names
    normalised by `_plain` (so `-min-count`, `--min_count` and `-minCount` are one), for an
    unknown option that a word2vec.c, fastText or char-rnn user types from habit; the key
    "*" answers any other unknown single-dash option, `{name}` replaced by its name. A usage
    error names the first such option typed, since click reads a single-dash one as a short
    option and its value (`-temperature 0.5` as `-t emperature`) and fails on something
    else."""

    hints = {}

    def parse_args(self, ctx, args):
        ctx.meta["npnlp.args"] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("once", Advice)
                warnings.showwarning = _show_advice(warnings.showwarning)
                return super().invoke(ctx)
        except click.UsageError as e:
            raise self._hinted(ctx, e) from None
        except UserError as e:
            raise click.ClickException(str(e)) from None
        except BrokenPipeError:
            _silence_stdout()
            ctx.exit(141)  # as a process killed by SIGPIPE
        except KeyboardInterrupt:   # Ctrl-C outside a training loop (which saves its state)
            click.echo("Interrupted.", err=True)
            ctx.exit(130)  # as a process killed by SIGINT, not click's "Aborted!" and 1
        except OSError as e:
            if isinstance(e, FileNotFoundError) and e.filename:   # as corpora words it
                raise click.ClickException(f"no such file or folder: {e.filename}") from None
            where = f": {e.filename}" if getattr(e, "filename", None) else ""
            raise click.ClickException(f"{e.strerror or e}{where}") from None

    def _hinted(self, ctx, error):
        """`error`, or a usage error naming what to type instead of a foreign option: the
        option click rejected, or any single-dash one of more than one letter."""
        args = ctx.meta.get("npnlp.args", [])
        hints = self.hints.get(args[0] if args else None, {})
        rejected = error.option_name if isinstance(error, click.NoSuchOption) else None
        command = self.get_command(ctx, args[0]) if args else None
        valued = {name for p in getattr(command, "params", ()) if isinstance(p, click.Option)
                  and not p.is_flag and not p.count for name in p.opts}
        extra_argument = type(error) is click.UsageError   # as '--cbow 1' makes
        for previous, arg in zip(args, args[1:]):
            if arg == "--":
                break
            name = arg.split("=")[0]
            single_dash = len(name) > 2 and name[0] == "-" and name[1] != "-"
            if previous in valued:   # an option's value, such as --prime's text
                continue
            if extra_argument and arg in ("0", "1") and previous.startswith("--") and \
                    _plain(previous) in hints:   # a flag given word2vec.c's value
                hint = hints[_plain(previous)]
                return click.UsageError(f"{previous} takes no value (use {hint})", error.ctx)
            was_rejected = name == rejected or (   # '-his' is rejected as '-i', '-h' a flag
                single_dash and rejected is not None and rejected[1:] in name[1:])
            hint = hints.get(_plain(name)) if was_rejected or single_dash else None
            if hint is None and was_rejected and "*" in hints and name[1] != "-" and \
                    not name[1].isdigit():   # '-1' is a negative number, not a word
                hint = hints["*"].format(name=name.lstrip("-"))
            if hint:   # an option or argument, or a capitalised remark
                hint = hint if hint[0].isupper() else f"use {hint}"
                return click.UsageError(f"No such option: {name} ({hint})", error.ctx)
        return error


def _show_advice(show):
    """warnings.showwarning printing an `Advice` as one 'Warning: ...' line on stderr, and
    any other warning as `show` does."""
    def showwarning(message, category, *args, **kwargs):
        if issubclass(category, Advice):
            click.echo(f"Warning: {message}", err=True)
        else:
            show(message, category, *args, **kwargs)
    return showwarning


def _plain(option):
    return option.lstrip("-").replace("-", "").replace("_", "").lower()


def group(command):
    """Make `command` a toolkit command group, with -h and --version."""
    command = click.group(cls=Group, context_settings=CONTEXT)(command)
    return click.version_option(package_name=DISTRIBUTION)(command)


def _silence_stdout():
    """Point stdout at /dev/null, so that flushing it at exit does not raise again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor (a test runner's stream)
        pass


def _typed(param, value):
    """The option `param` with `value` as a user types it: `--cbow` for sg False, not
    `--sg False`."""
    if getattr(param, "is_flag", False) and isinstance(value, bool):
        names = param.opts if value else param.secondary_opts
        if names:
            return names[0]
    name = max(param.opts, key=len)
    return f"{name} {value}"


def refuse_changed_settings(ctx, settings, saved, allowed=(),
                            why="a resumed run keeps its settings; these differ from the "
                                "saved run's"):
    """A resumed run keeps its saved settings: raise UserError naming every option typed on
    the command line (not left at its default) whose value differs from `saved` (a dict),
    except those in `allowed`, after `why`. Returns the names typed."""
    typed = {n for n in settings
             if ctx.get_parameter_source(n) == click.core.ParameterSource.COMMANDLINE}
    params = {p.name: p for p in ctx.command.params}
    differ = [f"{_typed(params[n], settings[n])} (saved: {_typed(params[n], saved.get(n))})"
              for n in sorted(typed - set(allowed)) if settings[n] != saved.get(n)]
    if differ:
        raise UserError(f"{why}: {', '.join(differ)}")
    return typed
