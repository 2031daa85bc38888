"""Count the words of a corpus and write its vocabulary as word2vec.c's -save-vocab does:
`word count` lines, most frequent first.

    python scripts/build_vocab.py text8 vocab.txt --whitespace --min-count 5

The job of `corpora vocab` (see its --help), as a plain script; the tokenized corpus is
cached, so that encoding it afterwards does not tokenize again.
"""
import argparse
import sys
from dataclasses import fields

from corpora.corpus import load_corpus
from corpora.tokenize import Tokenizer
from corpora.vocab import Vocab
from npnlp.errors import UserError
from npnlp.files import check_output


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="The flags are the settings of corpora's Tokenizer.")
    parser.add_argument("source", help="a text file (plain, .gz, .bz2, .xz, .zip), a folder, "
                        "or - for standard input")
    parser.add_argument("output", help="the vocabulary file to write, or - for standard output")
    parser.add_argument("--min-count", type=int, default=1)
    parser.add_argument("--max-vocab", type=int)
    for setting in fields(Tokenizer):
        parser.add_argument(f"--{setting.name.replace('_', '-')}", default=setting.default,
                            action=argparse.BooleanOptionalAction)
    args = parser.parse_args()
    tokenizer = Tokenizer(**{s.name: getattr(args, s.name) for s in fields(Tokenizer)})
    try:
        check_output(args.output, [args.source])
        corpus = load_corpus(args.source, tokenizer)
        Vocab.from_counts(corpus.types, corpus.counts, args.min_count, args.max_vocab).save(
            args.output)
    except (UserError, OSError) as e:
        sys.exit(f"Error: {e}")


if __name__ == "__main__":
    main()
