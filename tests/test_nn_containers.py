"""Sequential and Stack: what they hold, gradients end to end, state per layer."""
import numpy as np
import pytest
from nn_checks import F64, assert_close, rand

import nn


def test_sequential_refuses_layers_it_cannot_chain():
    with pytest.raises(TypeError, match="carries a state: use nn.Stack"):
        nn.Sequential(nn.Linear(2, 3), nn.LSTM(3, 3))
    with pytest.raises(TypeError, match="only be the first layer"):
        nn.Sequential(nn.Linear(2, 3), nn.Embedding(3, 2))
    with pytest.raises(TypeError, match="not an nn.Module"):
        nn.Sequential(np.tanh)


def test_sequential_starting_with_an_embedding_trains_it():
    model = nn.Sequential(nn.Embedding(5, 3, dtype=F64, rng=0), nn.Tanh(),
                          nn.Linear(3, 5, dtype=F64, rng=1))
    ids = np.array([0, 1, 2, 3, 4])
    logits, caches = model.forward(ids)
    _, dlogits = nn.softmax_cross_entropy(logits, ids)
    assert model.backward(dlogits, caches) is None
    assert model.layers[0].W.grad.to_dense().any()


def stack_with_dropout(p):
    return nn.Stack([nn.LSTM(4, 5, dtype=F64, rng=1), nn.GRU(5, 5, dtype=F64, rng=2),
                     nn.RNN(5, 3, dtype=F64, rng=3)], dropout=p, rng=4)


@pytest.mark.parametrize("p", [0.0, 0.4])
def test_stack_gradients_with_carried_state_and_dropout(p):
    """LSTM -> GRU -> RNN -> Linear -> softmax cross-entropy over two windows; dropout masks
    are drawn from a generator reset before each pass, so every pass sees the same masks."""
    rng = np.random.default_rng(0)
    T, N, V = 3, 2, 6
    stack, head = stack_with_dropout(p), nn.Linear(3, V, dtype=F64, rng=5)
    x1, x2 = rand(rng, T, N, 4), rand(rng, T, N, 4)
    t1, t2 = rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N))
    state0 = tuple(tuple(rand(rng, N, c.hidden_size) for _ in c.state_names)
                   for c in stack.layers)

    def loss_fn():
        for d in stack.dropout:
            d.rng = np.random.default_rng(9)
        hs1, state, c1 = stack.forward(x1, state0)
        hs2, _, c2 = stack.forward(x2, state)
        logits1, h1 = head.forward(hs1)
        logits2, h2 = head.forward(hs2)
        loss1, d1 = nn.softmax_cross_entropy(logits1, t1)
        loss2, d2 = nn.softmax_cross_entropy(logits2, t2)
        dx2, dstate = stack.backward(head.backward(d2, h2), c2)
        dx1, _ = stack.backward(head.backward(d1, h1), c1, dstate)
        return loss1 + loss2, {"x1": dx1, "x2": dx2}

    params = {**{f"stack.{n}": q for n, q in stack.named_parameters()},
              **{f"head.{n}": q for n, q in head.named_parameters()}}
    assert_close(nn.check_gradients(loss_fn, params, {"x1": x1, "x2": x2}))


def test_stack_carries_one_state_per_layer_and_steps_like_forward():
    rng = np.random.default_rng(0)
    stack = stack_with_dropout(0.5).eval()
    x = rand(rng, 6, 2, 4)
    hs, final, _ = stack.forward(x)
    assert [len(s) for s in final] == [2, 1, 1]   # (h, c) for the LSTM, (h,) for the others
    state = stack.zero_state(2)
    for t in range(6):
        h, state = stack.step(x[t], state)
        np.testing.assert_allclose(h, hs[t], atol=1e-12)
    with pytest.raises(TypeError, match="tuple of 3 cell states"):
        stack.forward(x, final[:2])


def test_dropout_is_active_only_in_training():
    rng = np.random.default_rng(0)
    stack, x = stack_with_dropout(0.5), rand(rng, 4, 2, 4)
    first, second = stack.forward(x)[0], stack.forward(x)[0]
    assert not np.allclose(first, second)
    stack.eval()
    np.testing.assert_array_equal(stack.forward(x)[0], stack.forward(x)[0])


def test_stack_refuses_mismatched_sizes():
    with pytest.raises(ValueError, match="cell 0 outputs 5 features but cell 1 takes 4"):
        nn.Stack([nn.LSTM(3, 5), nn.LSTM(4, 4)])
    with pytest.raises(TypeError, match="recurrent cells"):
        nn.Stack([nn.Linear(3, 3)])
