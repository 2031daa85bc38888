"""Losses: gradients, masks, values against the textbook formulas, bad arguments."""
import numpy as np
import pytest
from nn_checks import assert_close, rand
from scipy.special import expit, log_softmax

import nn


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("use_mask", [False, True])
def test_softmax_cross_entropy_gradient(reduction, use_mask):
    rng = np.random.default_rng(0)
    logits = rand(rng, 3, 4, 5)
    targets = rng.integers(0, 5, (3, 4))
    mask = rng.random((3, 4)) > 0.3 if use_mask else None

    def loss_fn():
        loss, dlogits = nn.softmax_cross_entropy(logits, targets, reduction=reduction, mask=mask)
        return loss, {"logits": dlogits}

    assert_close(nn.check_gradients(loss_fn, inputs={"logits": logits}))


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("use_mask", [False, True])
def test_logistic_loss_gradient(reduction, use_mask):
    rng = np.random.default_rng(0)
    logits = 3 * rand(rng, 4, 6)
    labels = rng.random((4, 6)) > 0.5
    mask = rng.random((4, 6)) > 0.3 if use_mask else None

    def loss_fn():
        loss, dlogits = nn.logistic_loss(logits, labels, reduction=reduction, mask=mask)
        return loss, {"logits": dlogits}

    assert_close(nn.check_gradients(loss_fn, inputs={"logits": logits}))


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_mse_loss_gradient(reduction):
    rng = np.random.default_rng(0)
    pred, target = rand(rng, 5, 2), rand(rng, 5, 2)

    def loss_fn():
        loss, dpred = nn.mse_loss(pred, target, reduction=reduction)
        return loss, {"pred": dpred}

    assert_close(nn.check_gradients(loss_fn, inputs={"pred": pred}))


def test_values_equal_the_formulas_and_masked_positions_do_not_count():
    rng = np.random.default_rng(0)
    logits, targets = rand(rng, 6, 4), rng.integers(0, 4, 6)
    mask = np.array([1, 1, 0, 1, 0, 1], bool)
    nll = -log_softmax(logits, axis=1)[np.arange(6), targets]
    loss, dz = nn.softmax_cross_entropy(logits, targets, mask=mask)
    assert loss == pytest.approx(nll[mask].mean())
    assert not dz[~mask].any()

    labels = rng.random((6, 4)) > 0.5
    bce = -np.where(labels, np.log(expit(logits)), np.log(expit(-logits)))
    loss, dz = nn.logistic_loss(logits, labels, mask=np.broadcast_to(mask[:, None], (6, 4)))
    assert loss == pytest.approx(bce[mask].mean())
    assert not dz[~mask].any()
    assert nn.logistic_loss(logits, labels, reduction="sum")[0] == pytest.approx(bce.sum())


def test_softmax_cross_entropy_leaves_its_input_alone():
    logits = np.arange(12, dtype=np.float32).reshape(3, 4)
    before = logits.copy()
    nn.softmax_cross_entropy(logits, np.array([0, 1, 2]))
    np.testing.assert_array_equal(logits, before)


@pytest.mark.filterwarnings("error")
def test_losses_do_not_overflow():
    x = np.array([-1e4, -100.0, 0.0, 100.0, 1e4], np.float32)
    loss, dz = nn.logistic_loss(x, np.array([1, 0, 1, 1, 0]))
    assert np.isfinite(loss) and np.all(np.isfinite(dz))
    loss, dz = nn.softmax_cross_entropy(x[None], np.array([0]))
    assert loss == pytest.approx(2e4) and np.all(np.isfinite(dz))


def test_loss_arguments():
    logits = np.zeros((4, 3), np.float32)
    with pytest.raises(ValueError, match="targets must have shape"):
        nn.softmax_cross_entropy(logits, np.zeros(5, int))
    with pytest.raises(ValueError, match="targets must lie in"):
        nn.softmax_cross_entropy(logits, np.array([0, 1, 2, 3]))
    with pytest.raises(TypeError, match="targets must hold integers"):
        nn.softmax_cross_entropy(logits, np.zeros(4))
    with pytest.raises(ValueError, match="mask must have shape"):
        nn.softmax_cross_entropy(logits, np.zeros(4, int), mask=np.ones(3, bool))
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.softmax_cross_entropy(logits, np.zeros(4, int), reduction="avg")
    with pytest.raises(TypeError, match="logits must hold floats"):
        nn.logistic_loss(np.zeros(3, int), np.zeros(3))
    with pytest.raises(ValueError, match="mask must have shape"):
        nn.logistic_loss(logits, np.zeros((4, 3)), mask=np.ones(4, bool))
    with pytest.raises(ValueError, match="target must have shape"):
        nn.mse_loss(np.zeros((2, 1)), np.zeros(2))
