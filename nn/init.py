"""Weight initialisation. Every function takes a `numpy.random.Generator` for reproducibility."""
import numpy as np


def xavier_uniform(rng, fan_in, fan_out, dtype=np.float32):
    """U(-a, a) with a = sqrt(6 / (fan_in + fan_out)): keeps activation variance roughly
    constant through tanh/sigmoid layers (Glorot & Bengio, 2010)."""
    a = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out)).astype(dtype)


def orthogonal(rng, n, dtype=np.float32):
    """A random n x n orthogonal matrix (QR of a Gaussian, signs fixed so it is uniform):
    repeated multiplication by it neither explodes nor vanishes (Saxe et al., 2014)."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return (q * np.sign(np.diag(r))).astype(dtype)
