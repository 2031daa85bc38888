"""The shared neural-network core: layers with hand-written forward/backward passes,
losses, recurrent cells, optimizers, checkpoints and a numerical gradient checker.

Two contracts, one per kind of layer:

- feed-forward layers (Linear, Embedding, EmbeddingBag, OutputEmbedding, Dropout,
  activations, Sequential):
  `forward(x) -> (out, cache)`; `backward(dout, cache) -> dx` (None for integer inputs),
  adding parameter gradients into `Parameter.grad`. Some take a second input:
  `EmbeddingBag.forward(ids, offsets)`, `OutputEmbedding.forward(h, rows)`.
- recurrent modules (RNN, LSTM, GRU, Stack), which carry a state between calls:
  `forward(x, state) -> (hs, state, cache)`; `backward(dhs, cache, dstate) -> (dx, dstate0)`.

Losses return `(loss, dlogits)`. Optimizers update any list of parameters. The embedding
tables keep sparse gradients (`nn.sparse`): the rows a step used, not the whole table.
"""
from nn.activations import ReLU, Sigmoid, Tanh, log_softmax, sigmoid, softmax
from nn.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from nn.containers import Sequential, Stack
from nn.gradcheck import check_gradients, numerical_gradient, relative_error
from nn.init import orthogonal, xavier_uniform
from nn.layers import Dropout, Embedding, EmbeddingBag, Linear, OutputEmbedding
from nn.losses import logistic_loss, mse_loss, softmax_cross_entropy
from nn.module import Module, Parameter, save_npz
from nn.optim import SGD, Adagrad, Adam, LinearDecay, clip_grad_norm
from nn.recurrent import GRU, LSTM, RNN, Cell, Recurrent
from nn.sampling import sample_logits
from nn.sparse import Entries, SparseGrad, scatter_add

__all__ = [
    "Adagrad", "Adam", "Cell", "Checkpoint", "Dropout", "Embedding", "EmbeddingBag", "Entries",
    "GRU", "LSTM", "Linear", "LinearDecay", "Module", "OutputEmbedding", "Parameter", "RNN",
    "ReLU", "Recurrent",
    "SGD", "Sequential", "Sigmoid", "SparseGrad", "Stack", "Tanh", "check_gradients",
    "clip_grad_norm", "load_checkpoint", "log_softmax", "logistic_loss", "mse_loss",
    "numerical_gradient", "orthogonal", "relative_error", "sample_logits", "save_checkpoint",
    "save_npz", "scatter_add", "sigmoid", "softmax", "softmax_cross_entropy", "xavier_uniform",
]
