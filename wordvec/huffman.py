"""The Huffman tree of hierarchical softmax, built from word counts as word2vec.c builds it.

Each word is a leaf; its path from the root is a list of inner nodes (`points`, numbered
0 .. V-2, the root V-2) and the branch taken at each (`codes`, 0 or 1). Frequent words get
short paths, so the expected path length is the minimum any binary code achieves.
"""
from typing import NamedTuple

import numpy as np


class HuffmanTree(NamedTuple):
    points: np.ndarray   # (V, L) int64: inner nodes from the root, padded with 0
    codes: np.ndarray    # (V, L) int8: branch at each node, padded with 0
    mask: np.ndarray     # (V, L) bool: True on a word's real path
    lengths: np.ndarray  # (V,) int64: the length of each word's path


def huffman_tree(counts):
    """The tree of `counts` (V >= 2 words), merged two lowest first; ties as word2vec.c
    (for counts sorted from most to least frequent, the order of a Vocab)."""
    counts = np.asarray(counts, dtype=np.int64)
    V = len(counts)
    if V < 2:
        raise ValueError("hierarchical softmax needs at least 2 words")
    order = np.argsort(-counts, kind="stable")            # word2vec.c's vocabulary order
    parent, branch = _merge(counts[order].tolist())
    points, codes, mask = _paths(parent, branch, V)
    inverse = np.empty(V, np.int64)
    inverse[order] = np.arange(V)
    return HuffmanTree(points[inverse], codes[inverse], mask[inverse],
                       mask[inverse].sum(axis=1))


def _merge(counts):
    """word2vec.c's CreateBinaryTree: leaves 0..V-1 (sorted by falling count) and inner
    nodes V..2V-2 merged from two queues, the leaves from the end and the new nodes in order.
    Returns each node's parent and the branch (1 for the second of a pair) leading to it."""
    V = len(counts)
    count = counts + [0] * (V - 1)
    parent, branch = [0] * (2 * V - 1), [0] * (2 * V - 1)
    leaf, inner = V - 1, V
    for new in range(V, 2 * V - 1):
        pair = []
        for _ in range(2):
            if leaf >= 0 and (inner >= new or count[leaf] < count[inner]):
                pair.append(leaf)
                leaf -= 1
            else:
                pair.append(inner)
                inner += 1
        count[new] = count[pair[0]] + count[pair[1]]
        parent[pair[0]] = parent[pair[1]] = new
        branch[pair[1]] = 1
    return np.array(parent), np.array(branch, np.int8)


def _paths(parent, branch, V):
    """(points, codes, mask) root first, all leaves walked up together, one level a step."""
    root = 2 * V - 2
    node = np.arange(V)
    up_points, up_codes = [], []
    while True:
        active = node != root
        if not active.any():
            break
        up_codes.append(np.where(active, branch[node], 0))
        node = np.where(active, parent[node], root)
        up_points.append(np.where(active, node, -1))
    up_points, up_codes = np.array(up_points).T, np.array(up_codes).T   # (V, L), leaf first
    lengths = (up_points >= 0).sum(axis=1)
    L = up_points.shape[1]
    # position k from the leaf is position length - 1 - k from the root
    cols = lengths[:, None] - 1 - np.arange(L)[None, :]
    mask = cols >= 0
    rows = np.broadcast_to(np.arange(V)[:, None], (V, L))
    points = np.zeros((V, L), np.int64)
    codes = np.zeros((V, L), np.int8)
    points[rows[mask], cols[mask]] = up_points[mask] - V
    codes[rows[mask], cols[mask]] = up_codes[mask]
    return points, codes, np.arange(L)[None, :] < lengths[:, None]
