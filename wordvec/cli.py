"""The `wordvec` command."""
import click

from corpora.cli import Group


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="npnlp")
def main():
    """Train and query word2vec word vectors."""
