"""The `corpora` command."""
import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="npnlp")
def main():
    """Read, tokenize and fetch text corpora."""
