"""Sampling from logits: greedy limits, truncation, and the drawn frequencies."""
import numpy as np
import pytest

import nn

LOGITS = np.log(np.array([[0.5, 0.3, 0.15, 0.05], [0.05, 0.15, 0.3, 0.5]]))


def draw(n=20_000, **kwargs):
    rng = np.random.default_rng(0)
    picks = np.stack([nn.sample_logits(LOGITS, rng, **kwargs) for _ in range(n)])
    return np.stack([np.bincount(picks[:, row], minlength=4) / n for row in range(2)])


def test_frequencies_follow_the_softmax():
    np.testing.assert_allclose(draw(), np.exp(LOGITS), atol=0.01)


@pytest.mark.parametrize("kwargs", [{"temperature": 0}, {"top_k": 1},
                                    {"temperature": 1e-3}, {"top_p": 0.4}])
def test_greedy_limits(kwargs):
    assert nn.sample_logits(LOGITS, np.random.default_rng(0), **kwargs).tolist() == [0, 3]
    assert draw(200, **kwargs)[:, [0, 3]].tolist() == [[1, 0], [0, 1]]


def test_top_k_and_top_p_renormalise_over_what_they_keep():
    np.testing.assert_allclose(draw(top_k=2)[0], [0.5 / 0.8, 0.3 / 0.8, 0, 0], atol=0.01)
    np.testing.assert_allclose(draw(top_p=0.7)[0], [0.5 / 0.8, 0.3 / 0.8, 0, 0], atol=0.01)


def test_temperature_flattens_and_sharpens():
    hot, cold = draw(temperature=100.0)[0], draw(temperature=0.5)[0]
    np.testing.assert_allclose(hot, 0.25, atol=0.02)
    assert cold[0] > 0.5 and cold[3] < 0.05


def test_seeded_draws_repeat():
    a = [nn.sample_logits(LOGITS, rng, top_p=0.9).tolist()
         for rng in [np.random.default_rng(5)] for _ in range(50)]
    b = [nn.sample_logits(LOGITS, rng, top_p=0.9).tolist()
         for rng in [np.random.default_rng(5)] for _ in range(50)]
    assert a == b


def test_bad_settings():
    rng = np.random.default_rng(0)
    for kwargs, message in [({"temperature": -1}, "temperature"), ({"top_k": 0}, "top_k"),
                            ({"top_p": 0}, "top_p"), ({"top_p": 1.5}, "top_p")]:
        with pytest.raises(ValueError, match=message):
            nn.sample_logits(LOGITS, rng, **kwargs)
    with pytest.raises(ValueError, match="shape"):
        nn.sample_logits(LOGITS[0], rng)
