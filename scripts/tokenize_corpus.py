"""Tokenize a corpus for word2vec.c or fastText: one sentence per line, tokens separated by
spaces, written to stdout so that it can feed a pipeline.

    python scripts/tokenize_corpus.py text8.zip --whitespace | gzip > text8-tokens.txt.gz
    python scripts/tokenize_corpus.py wiki/ --lowercase > wiki.txt

The job of `corpora tokenize`, which writes a file instead (see its --help for the flags).
"""
import argparse
import signal
import sys
from dataclasses import fields

from corpora.tokenize import Tokenizer, write_tokens
from npnlp.errors import UserError


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="The flags are the settings of corpora's Tokenizer.")
    parser.add_argument("source", help="a text file (plain, .gz, .bz2, .xz, .zip), a folder, "
                        "or - for standard input")
    for setting in fields(Tokenizer):
        parser.add_argument(f"--{setting.name.replace('_', '-')}", default=setting.default,
                            action=argparse.BooleanOptionalAction)
    args = parser.parse_args()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # end quietly when the reader stops early
    tokenizer = Tokenizer(**{s.name: getattr(args, s.name) for s in fields(Tokenizer)})
    try:
        stats = write_tokens(args.source, sys.stdout, tokenizer)
    except (UserError, OSError) as e:
        sys.exit(f"Error: {e}")
    if stats.replaced:
        print(f"Warning: {stats.replaced:,} invalid UTF-8 sequences replaced with U+FFFD",
              file=sys.stderr)


if __name__ == "__main__":
    main()
