"""The `charlm` command."""
from npnlp.cli import group


@group
def main():
    """Train character-level language models and sample text from them."""
