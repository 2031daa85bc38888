"""Shared fixtures: the benchmark data files, a private cache folder for every test, the
synthetic corpus, and a Dask cluster."""
import os
from pathlib import Path

import pytest

import corpora


@pytest.fixture(scope="session")
def data_dir():
    """The folder of public benchmark data (text8-head.txt, tinyshakespeare.txt, ...):
    $NPNLP_DATA, else `shared/data` beside the repository."""
    return Path(os.environ.get("NPNLP_DATA") or Path(__file__).resolve().parents[1].parent
                / "shared" / "data")


@pytest.fixture(scope="session")
def data_file(data_dir):
    """`data_file(name)`: the path of a data file; skips the test when it is absent."""
    def find(name):
        path = data_dir / name
        if not path.is_file():
            pytest.skip(f"{name} not found in {data_dir} (set NPNLP_DATA)")
        return path
    return find


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Point the toolkit's cache at a temporary folder, so tests never touch ~/.cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NPNLP_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(scope="session")
def toolkit_env():
    """Environment for a subprocess that must import the toolkit this test process imports,
    whether installed or from a source tree."""
    return {**os.environ, "PYTHONPATH": str(Path(corpora.__file__).parents[1])}


@pytest.fixture(scope="session")
def synth_corpus(tmp_path_factory):
    """(corpus, analogy questions): 12,000 sentences of the synthetic corpus, seed 3."""
    folder = tmp_path_factory.mktemp("synth")
    corpora.synth.write(folder / "corpus.txt", 12_000, seed=3)
    corpora.synth.write_analogies(folder / "questions.txt")
    return folder / "corpus.txt", folder / "questions.txt"


@pytest.fixture(scope="session")
def dask_client():
    """A client of a Dask cluster of 2 worker processes on this machine; skips the test
    without Dask."""
    pytest.importorskip("distributed")
    from corpora.cluster import connect
    with connect("local:2") as client:
        yield client
