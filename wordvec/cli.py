"""The `wordvec` command."""
from npnlp.cli import group


@group
def main():
    """Train and query word2vec word vectors."""
