"""The character language model on `nn`'s pieces: an embedding of the characters, a stack
of recurrent cells with dropout between them, dropout again, and a linear layer to the
logits of the next character."""
from typing import NamedTuple

import numpy as np

import nn

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class CharRNNCache(NamedTuple):
    embed: tuple
    rnn: tuple
    dropout: tuple
    head: tuple


class CharRNN(nn.Module):
    """ids (T, N) -> logits (T, N, V), time first as nn's recurrent cells take it, carrying
    the recurrent state across calls.

    config: a CharConfig; V: the size of the character vocabulary. All randomness (the
    initial weights, the dropout masks) comes from `self.rng`, so that its state in a
    checkpoint makes a resumed run repeat an uninterrupted one.
    """

    def __init__(self, config, V, dtype=np.float32):
        self.config, self.rng = config, np.random.default_rng(config.seed)
        Cell = CELLS[config.cell]
        E, H = config.embed, config.hidden
        # variance 1, as PyTorch's N(0, 1): at 300 steps of the bench's model, validation
        # 1.776 nats/char against 1.832 for U(-1, 1) (mean of 3 seeds, bench machine)
        self.embed = nn.Embedding(V, E, scale=np.sqrt(3), rng=self.rng, dtype=dtype)
        self.rnn = nn.Stack([Cell(E if i == 0 else H, H, rng=self.rng, dtype=dtype)
                             for i in range(config.layers)], dropout=config.dropout, rng=self.rng)
        self.dropout = nn.Dropout(config.dropout, rng=self.rng)
        self.head = nn.Linear(H, V, rng=self.rng, dtype=dtype)

    def take_weights(self, other, vocab, other_vocab):
        """Start from the weights of `other`, a trained CharRNN of the same network over
        `other_vocab`: its recurrent layers whole, and for each of its characters (in
        `vocab` under a new id, maybe) its embedding row and output weights. Characters only
        `vocab` has keep this model's fresh initial weights."""
        self.rnn.load_state_dict(other.rnn.state_dict())
        old = np.arange(len(other_vocab))
        new = vocab.encode(other_vocab.chars)
        self.embed.W.data[new] = other.embed.W.data[old]
        self.head.W.data[:, new] = other.head.W.data[:, old]
        self.head.b.data[new] = other.head.b.data[old]

    @staticmethod
    def memory_needed(config, V):
        """About the peak bytes of training (float32): 12 copies of the weights (their
        float64 initial draws, gradients, the optimizer's buffers, the backward pass's and
        the checkpoint's copies: peaks of 4.6 and 2.9 GB measured for 104 M and 65 M
        weights), and twice a step's activations (each layer's gates and states at every
        step of every stream, kept for backpropagation, the logits); an estimate that
        refuses absurd sizes before they are allocated."""
        E, H, L = config.embed, config.hidden, config.layers
        gates = {"rnn": 1, "gru": 3, "lstm": 4}[config.cell]
        weights = V * E + sum(gates * H * ((E if i == 0 else H) + H + 1) for i in range(L))
        weights += H * V + V
        steps = config.seq_len * config.batch
        activations = steps * (L * H * (2 * gates + 4) + 2 * V + E)
        return 4 * (12 * weights + 2 * activations)

    @property
    def vocab_size(self):
        return self.head.W.data.shape[1]

    def zero_state(self, N):
        return self.rnn.zero_state(N)

    def forward(self, ids, state=None):
        """(logits, final state, cache)."""
        x, embed_cache = self.embed.forward(ids)
        hs, state, rnn_cache = self.rnn.forward(x, state)
        hs, dropout_cache = self.dropout.forward(hs)
        logits, head_cache = self.head.forward(hs)
        return logits, state, CharRNNCache(embed_cache, rnn_cache, dropout_cache, head_cache)

    def backward(self, dlogits, cache):
        dhs = self.dropout.backward(self.head.backward(dlogits, cache.head), cache.dropout)
        dx, _ = self.rnn.backward(dhs, cache.rnn)
        self.embed.backward(dx, cache.embed)

    def step(self, ids, state):
        """One character per stream, without dropout or cache, for sampling:
        ids (N,) -> (logits (N, V), state)."""
        x, _ = self.embed.forward(ids)
        h, state = self.rnn.step(x, state)
        logits, _ = self.head.forward(h)
        return logits, state
