"""Well-known public corpora: where each one lives and the size and sha256 of the file served.

`corpora.download.fetch` uses these entries to download, verify and unpack a corpus.
"""
import difflib
from dataclasses import dataclass

from npnlp.errors import UserError


@dataclass(frozen=True)
class PublicCorpus:
    """One downloadable corpus. `size` and `sha256` describe the file at `url` as served.

    `member` names the file to take out of a zip archive; None means `url` is the text itself.
    """

    name: str
    url: str
    size: int
    sha256: str
    description: str
    member: str | None = None

    @property
    def filename(self) -> str:
        """The file name at the end of `url`; a mirror serves the corpus under this name."""
        return self.url.rsplit("/", 1)[-1]

    @property
    def text_name(self) -> str:
        """The name of the usable text file once the corpus is unpacked."""
        return self.member or self.filename


REGISTRY: dict[str, PublicCorpus] = {
    corpus.name: corpus
    for corpus in [
        # sha256 pinned identically by several unrelated public projects that download this
        # URL (Python loaders, a Haskell word2vec build script, a paper reproduction that
        # also records 17,005,207 tokens); the size is the one TensorFlow's word2vec
        # tutorial checks.
        PublicCorpus(
            name="text8",
            url="http://mattmahoney.net/dc/text8.zip",
            size=31_344_016,
            sha256="a6640522afe85d1963ad56c05b0ede0a0c000dddc9671758a6cc09b7a38e5232",
            description="first 10^8 bytes of English Wikipedia, cleaned to a-z and spaces "
            "(17M words, one line); the standard word2vec benchmark",
            member="text8",
        ),
        # sha256 and size from Hugging Face datasets (datasets/enwik8/dataset_infos.json,
        # download_checksums), matching a Julia DataDeps registration and a compression
        # benchmark's pinned list.
        PublicCorpus(
            name="enwik8",
            url="http://mattmahoney.net/dc/enwik8.zip",
            size=36_445_475,
            sha256="547994d9980ebed1288380d652999f38a14fe291a6247c157c3d33d4932534bc",
            description="first 10^8 bytes of an English Wikipedia XML dump (Hutter Prize); "
            "a byte-level language-model benchmark",
            member="enwik8",
        ),
        # sha256 and size measured on a byte-identical copy of the char-rnn file.
        PublicCorpus(
            name="tinyshakespeare",
            url="https://raw.githubusercontent.com/karpathy/char-rnn/master/data/"
            "tinyshakespeare/input.txt",
            size=1_115_394,
            sha256="86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
            description="40,000 lines of Shakespeare's plays (char-rnn); the standard "
            "character-level language-model corpus",
        ),
    ]
}


def lookup(name: str) -> PublicCorpus:
    """The registry entry called `name`; an unknown name is a `UserError` suggesting close ones."""
    if name in REGISTRY:
        return REGISTRY[name]
    close = difflib.get_close_matches(name, REGISTRY, n=3)
    hint = f"did you mean {' or '.join(close)}?" if close else f"known: {', '.join(REGISTRY)}"
    raise UserError(f"unknown corpus {name!r}; {hint}")
