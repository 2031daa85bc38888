"""From text on disk to integer arrays: reading, tokenizing, vocabularies, public corpora."""
