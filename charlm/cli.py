"""The `charlm` command."""
import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="npnlp")
def main():
    """Train character-level language models and sample text from them."""
