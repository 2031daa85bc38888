"""Parameter discovery, train/eval mode, save and load, and how a model prints."""
import numpy as np
import pytest

import nn
from charlm.config import CharConfig
from charlm.model import CharRNN
from wordvec.config import TrainConfig
from wordvec.model import Word2VecNet


class Net(nn.Module):
    def __init__(self):
        self.embed = nn.Embedding(10, 4, rng=0)
        self.cells = [nn.LSTM(4, 5, rng=1), nn.GRU(5, 5, rng=2)]
        self.head = nn.Linear(5, 10, rng=3)


def test_named_parameters_walk_attributes_and_lists():
    names = [n for n, _ in Net().named_parameters()]
    assert names == ["embed.W", "cells.0.Wx", "cells.0.Wh", "cells.0.b",
                     "cells.1.Wx", "cells.1.Wh", "cells.1.b", "cells.1.b_hn", "head.W", "head.b"]


def test_named_parameters_find_dicts_and_lists_of_parameters_and_list_shared_ones_once():
    class Gates(nn.Module):
        def __init__(self):
            self.gates = {"i": nn.Parameter(np.zeros(2)), "f": [nn.Parameter(np.zeros(3))]}
            self.heads = {"a": nn.Linear(2, 2)}
            self.tied = self.gates["i"]

    assert [n for n, _ in Gates().named_parameters()] == [
        "gates.i", "gates.f.0", "heads.a.W", "heads.a.b"]


def test_train_and_eval_reach_every_sub_module():
    model = Net()
    model.drop = {"between": nn.Dropout(0.5)}
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not model.drop["between"].training and not model.cells[1].training
    model.train()
    assert model.drop["between"].training


def test_save_load_round_trip_is_exact(tmp_path):
    a, b = Net(), Net()
    for p in a.parameters():
        p.data[...] = np.random.default_rng(5).standard_normal(p.data.shape)
    a.save(tmp_path / "m.npz")
    b.load(tmp_path / "m.npz")
    for (name, p), q in zip(a.named_parameters(), b.parameters()):
        assert np.array_equal(p.data, q.data), name
        assert q.data.dtype == np.float32
    assert [f.name for f in tmp_path.iterdir()] == ["m.npz"]  # no temporary left behind


def test_load_rejects_a_different_architecture(tmp_path):
    nn.Linear(3, 4, rng=0).save(tmp_path / "lin.npz")
    with pytest.raises(ValueError, match="shape"):
        nn.Linear(3, 5, rng=0).load(tmp_path / "lin.npz")
    with pytest.raises(ValueError, match="missing"):
        nn.GRU(3, 4, rng=0).load(tmp_path / "lin.npz")


def test_interrupted_save_leaves_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    nn.Linear(2, 2, rng=0).save(path)
    before = path.read_bytes()

    def interrupted(f, **arrays):
        f.write(b"half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        nn.Linear(2, 2, rng=1).save(path)
    assert path.read_bytes() == before
    assert [f.name for f in tmp_path.iterdir()] == ["m.npz"]


def test_layers_and_containers_print_their_sizes_in_one_line():
    mlp = nn.Sequential(nn.Linear(2, 100), nn.ReLU(), nn.Linear(100, 3, bias=False))
    assert repr(mlp) == "Sequential(Linear(2, 100), ReLU(), Linear(100, 3, bias=False))"
    rnn = nn.Stack([nn.LSTM(64, 256), nn.LSTM(256, 256)], dropout=0.2)
    assert repr(rnn) == "Stack([LSTM(64, 256), LSTM(256, 256)], dropout=0.2)"
    assert repr(nn.Stack([nn.GRU(3, 4)], dropout=0.2)) == "Stack([GRU(3, 4)])"  # nothing between
    assert repr(Net()) == ("Net(embed=Embedding(10, 4), cells=[LSTM(4, 5), GRU(5, 5)], "
                           "head=Linear(5, 10))")


def test_the_models_print_their_settings_and_parts_in_one_line():
    config = CharConfig(cell="gru", layers=2, embed=16, hidden=32, dropout=0.1)
    assert repr(CharRNN(config, 65)) == (
        "CharRNN(embed=Embedding(65, 16), rnn=Stack([GRU(16, 32), GRU(32, 32)], dropout=0.1), "
        "dropout=Dropout(0.1), head=Linear(32, 65))")
    words, counts = [f"w{i}" for i in range(10)], range(20, 10, -1)
    cbow = TrainConfig(dim=8, sg=False, loss="hierarchical")
    assert repr(Word2VecNet(cbow, words, counts)) == (
        "Word2VecNet(cbow-mean, hierarchical, window=5, input=EmbeddingBag(10, 8), "
        "output=OutputEmbedding(9, 8))")
    fasttext = TrainConfig(dim=8, negative=3, subwords=True, buckets=100)
    assert repr(Word2VecNet(fasttext, words, counts)) == (
        "Word2VecNet(skip-gram, negative=3, window=5, minn=3, maxn=6, "
        "input=EmbeddingBag(110, 8), output=OutputEmbedding(10, 8))")
