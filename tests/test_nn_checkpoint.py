"""Checkpoints: model, optimizer and metadata by name; resuming equals not stopping."""
import os
import threading

import numpy as np
import pytest

import nn
from npnlp.errors import UserError


class CharModel(nn.Module):
    def __init__(self, seed):
        rng = np.random.default_rng(seed)
        self.embed = nn.Embedding(7, 4, rng=rng)
        self.rnn = nn.Stack([nn.LSTM(4, 8, rng=rng), nn.LSTM(8, 8, rng=rng)], dropout=0.2,
                            rng=rng)
        self.head = nn.Linear(8, 7, rng=rng)


def train(model, opt, data, steps, state=None):
    for x, y in data[:steps]:
        emb, ce = model.embed.forward(x)
        hs, state, cr = model.rnn.forward(emb, state)
        logits, ch = model.head.forward(hs)
        _, dlogits = nn.softmax_cross_entropy(logits, y)
        opt.zero_grad()
        model.embed.backward(model.rnn.backward(model.head.backward(dlogits, ch), cr)[0], ce)
        nn.clip_grad_norm(model.parameters(), 1.0)
        opt.step()
    return state


def test_resuming_from_a_checkpoint_equals_an_uninterrupted_run(tmp_path):
    rng = np.random.default_rng(0)
    data = [(rng.integers(0, 7, (3, 5)), rng.integers(0, 7, (3, 5))) for _ in range(6)]
    schedule = nn.LinearDecay(0.01, total_steps=6)

    straight = CharModel(1)
    train(straight, nn.Adam(straight, lr=schedule), data, 6)

    first = CharModel(1)
    opt = nn.Adam(first, lr=schedule)
    state = train(first, opt, data, 3)
    dropout_rng = first.rnn.dropout[0].rng
    nn.save_checkpoint(tmp_path / "ckpt.npz", first, opt, step=3,
                       rng=dropout_rng.bit_generator.state,
                       state=[[s.tolist() for s in layer] for layer in state])

    ckpt = nn.load_checkpoint(tmp_path / "ckpt.npz")
    resumed = CharModel(2)
    resumed.load_state_dict(ckpt.model)
    opt = nn.Adam(resumed, lr=schedule)
    opt.load_state_dict(ckpt.optimizer)
    resumed.rnn.dropout[0].rng.bit_generator.state = ckpt.meta["rng"]
    state = tuple(tuple(np.array(s, np.float32) for s in layer) for layer in ckpt.meta["state"])
    train(resumed, opt, data[3:], 3, state)

    assert ckpt.meta["step"] == 3 and opt.t == 6
    for (name, p), q in zip(straight.named_parameters(), resumed.parameters()):
        np.testing.assert_array_equal(p.data, q.data, err_msg=name)


def test_optimizer_state_is_keyed_by_parameter_name():
    model = CharModel(0)
    state = nn.Adam(model).state_dict()
    assert "m.rnn.layers.1.Wh" in state and "v.head.b" in state
    reordered = dict(reversed(list(model.named_parameters())))
    opt = nn.Adam(reordered)
    opt.load_state_dict(state)
    with pytest.raises(ValueError, match="missing"):
        nn.Adam(model.head).load_state_dict(state)


def test_a_file_that_is_not_a_checkpoint_is_a_user_error(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(UserError, match="is not a checkpoint"):
        nn.load_checkpoint(tmp_path / "notes.txt")
    with pytest.raises(FileNotFoundError):
        nn.load_checkpoint(tmp_path / "missing.npz")


def test_a_checkpoint_reads_from_a_fifo(tmp_path):
    """`charlm sample <(cat m.npz)`: an .npz cannot be read from a pipe in place."""
    model = CharModel(1)
    nn.save_checkpoint(tmp_path / "m.npz", model, step=3)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    threading.Thread(target=fifo.write_bytes, args=((tmp_path / "m.npz").read_bytes(),),
                     daemon=True).start()
    ckpt = nn.load_checkpoint(fifo)
    assert ckpt.meta == {"step": 3}
    np.testing.assert_array_equal(ckpt.model["head.W"], model.head.W.data)
