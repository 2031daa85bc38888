"""Parameter discovery, train/eval mode, save and load."""
import numpy as np
import pytest

import nn


class Stack(nn.Module):
    def __init__(self):
        self.embed = nn.Embedding(10, 4, rng=0)
        self.cells = [nn.LSTM(4, 5, rng=1), nn.GRU(5, 5, rng=2)]
        self.head = nn.Linear(5, 10, rng=3)


def test_named_parameters_walk_attributes_and_lists():
    names = [n for n, _ in Stack().named_parameters()]
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
    model = Stack()
    model.drop = {"between": nn.Dropout(0.5)}
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not model.drop["between"].training and not model.cells[1].training
    model.train()
    assert model.drop["between"].training


def test_save_load_round_trip_is_exact(tmp_path):
    a, b = Stack(), Stack()
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
