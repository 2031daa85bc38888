"""The shared neural-network core: layers with hand-written forward/backward passes,
losses, recurrent cells, optimizers and a numerical gradient checker.

Every layer follows one contract: `forward(...) -> (out, cache)`; `backward(dout, cache)`
returns the input gradient and adds parameter gradients into `Parameter.grad`.
"""
from nn.activations import ReLU, Sigmoid, Tanh, sigmoid, tanh
from nn.gradcheck import check_gradients, numerical_gradient, relative_error
from nn.init import orthogonal, xavier_uniform
from nn.layers import Embedding, Linear, Sequential
from nn.losses import logistic_loss, mse_loss, softmax_cross_entropy
from nn.module import Module, Parameter, SparseGrad, save_npz
from nn.optim import SGD, Adagrad, Adam, Constant, LinearDecay, clip_grad_norm
from nn.recurrent import GRU, LSTM, RNN, Recurrent

__all__ = [
    "Adagrad", "Adam", "Constant", "Embedding", "GRU", "LSTM", "Linear", "LinearDecay",
    "Module", "Parameter", "RNN", "Recurrent", "ReLU", "SGD", "Sequential", "Sigmoid",
    "SparseGrad", "Tanh",
    "check_gradients", "clip_grad_norm", "logistic_loss", "mse_loss", "numerical_gradient",
    "orthogonal", "relative_error", "save_npz", "sigmoid", "softmax_cross_entropy", "tanh",
    "xavier_uniform",
]
