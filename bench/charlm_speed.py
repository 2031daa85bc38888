"""Character language model training: charlm beside the same model in PyTorch on the CPU.

    python bench/charlm_speed.py [--steps 300] [--cell lstm] [--hidden 256] [--layers 2]

Both train on tiny Shakespeare (the first 90% of the characters; the last 10% validate) with
the same cell, sizes, embedding, dropout, sequence length, batch, Adam, clipping and number
of steps, in turn, in this process; PyTorch uses 2 threads. Prints chars/s of each and their
ratio, and the validation loss after the same number of steps. PyTorch is optional.

PyTorch runs twice: as it comes, where its CPU LSTM is oneDNN's fused RNN kernel
(aten::mkldnn_rnn_layer), and with oneDNN off, where it is ATen's loop of matrix products and
element-wise kernels, the way charlm works.
"""
import argparse
import math
import tempfile
import time
from pathlib import Path

from charlm.config import CharConfig
from charlm.data import load_text, n_windows, streams, window
from charlm.model import CharRNN
from charlm.train import Paths, train

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "tinyshakespeare.txt"


def ours(config, text):
    """(chars/s of the training steps, validation loss); validation runs once, at the end,
    and the rate the log reports leaves it out."""
    model = CharRNN(config, len(text.vocab))
    with tempfile.TemporaryDirectory() as tmp:
        state = train(model, text.vocab, text, Paths(Path(tmp) / "m"))
    return state.log[-1]["chars_per_s"], state.log[-1]["val_loss"]


def theirs(config, text, onednn=True):
    import torch

    was, torch.backends.mkldnn.enabled = torch.backends.mkldnn.enabled, onednn
    try:
        return _theirs(config, text, torch)
    finally:
        torch.backends.mkldnn.enabled = was


def _theirs(config, text, torch):
    torch.manual_seed(config.seed)
    torch.set_num_threads(2)
    Cell = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[config.cell]
    V = len(text.vocab)
    embed = torch.nn.Embedding(V, config.embed)
    rnn = Cell(config.embed, config.hidden, config.layers,   # time first, as charlm.data.window
               dropout=config.dropout if config.layers > 1 else 0.0)
    drop, head = torch.nn.Dropout(config.dropout), torch.nn.Linear(config.hidden, V)
    params = [*embed.parameters(), *rnn.parameters(), *head.parameters()]
    opt = torch.optim.Adam(params, lr=config.lr)
    data = streams(text.train, config.batch, config.seq_len)
    per_epoch, hidden = n_windows(data, config.seq_len), None
    start = time.perf_counter()
    for step in range(config.steps):
        x, y = (torch.from_numpy(a) for a in window(data, step % per_epoch, config.seq_len))
        out, hidden = rnn(embed(x), hidden)
        hidden = tuple(h.detach() for h in hidden) if isinstance(hidden, tuple) else \
            hidden.detach()
        logits = head(drop(out))
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, config.clip)
        opt.step()
    rate = config.steps * config.batch * config.seq_len / (time.perf_counter() - start)
    for m in (embed, rnn, drop, head):
        m.eval()
    # the validation of charlm.train.evaluate: parallel streams, state carried, 200 at a time
    val = streams(text.val, max(1, min(64, (len(text.val) - 1) // 1000)), 1)
    total, count, hidden = 0.0, 0, None
    with torch.no_grad():
        for i in range(-(-(val.shape[1] - 1) // 200)):
            x, y = (torch.from_numpy(a) for a in window(val, i, 200))
            out, hidden = rnn(embed(x), hidden)
            logits = head(out)
            total += float(torch.nn.functional.cross_entropy(
                logits.reshape(-1, V), y.reshape(-1), reduction="sum"))
            count += y.numel()
    return rate, total / count


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--text", default=str(DATA))
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--cell", default="lstm")
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--embed", type=int, default=64)
    parser.add_argument("--dropout", type=float, default=0.2)
    parser.add_argument("--seq-len", type=int, default=100)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()
    config = CharConfig(cell=args.cell, hidden=args.hidden, layers=args.layers,
                        embed=args.embed, dropout=args.dropout, seq_len=args.seq_len,
                        batch=args.batch, steps=args.steps, eval_every=args.steps,
                        lr_decay=1.0)
    text = load_text(args.text, 0.1)
    print(f"{args.cell}, {args.layers} x {args.hidden}, embed {args.embed}, dropout "
          f"{args.dropout}, seq {args.seq_len}, batch {args.batch}, {args.steps} steps, Adam")
    print(f"{'':20}{'chars/s':>10}{'val nats':>10}{'val bits':>10}")
    runs = {"charlm": ours(config, text)}
    try:
        runs["pytorch"] = theirs(config, text)
        runs["pytorch, oneDNN off"] = theirs(config, text, onednn=False)
    except ImportError:
        print("(PyTorch not installed: its lines are left out)")
    for name, (rate, val) in runs.items():
        print(f"{name:20}{rate:>10,.0f}{val:>10.4f}{val / math.log(2):>10.4f}")
    for name in list(runs)[1:]:
        print(f"charlm / {name} chars/s: {runs['charlm'][0] / runs[name][0]:.2f}")


if __name__ == "__main__":
    main()
