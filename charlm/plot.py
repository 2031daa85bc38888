"""A learning curve as an SVG picture: training and validation loss against the step, from a
run's CHECKPOINT.log.csv. Written by hand (SVG is text), so plotting needs no library."""
import csv
import math
from html import escape

from npnlp.errors import UserError
from npnlp.files import atomic_write

WIDTH, HEIGHT, MARGIN = 640, 400, 60
SERIES = (("train_loss", "training loss", "#1f77b4"), ("val_loss", "validation loss", "#d62728"))


def read_log(path):
    """The rows of a CHECKPOINT.log.csv as dicts of floats."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]
    except FileNotFoundError:
        raise UserError(f"no log {path}: `charlm train -o CHECKPOINT` writes it beside "
                        f"CHECKPOINT") from None
    except (ValueError, TypeError, csv.Error) as e:
        raise UserError(f"{path} is not a charlm log: {e}") from None
    if not rows or not {"step", "train_loss", "val_loss"} <= set(rows[0]):
        raise UserError(f"{path} is not a charlm log with at least one validation")
    return rows


def write_svg(path, rows, title):
    """Write the learning curve of `rows` (read_log's) to `path`, atomically."""
    steps = [r["step"] for r in rows]
    values = [r[key] for r in rows for key, _, _ in SERIES if math.isfinite(r[key])]
    if not values:
        raise UserError(f"the log of {title.split(':')[0]} holds no finite loss to draw")
    x0, x1 = min(steps), max(steps) if max(steps) > min(steps) else min(steps) + 1
    y0, y1 = min(values), max(values) if max(values) > min(values) else min(values) + 1

    def xy(step, value):
        x = MARGIN + (step - x0) / (x1 - x0) * (WIDTH - 2 * MARGIN)
        y = HEIGHT - MARGIN - (value - y0) / (y1 - y0) * (HEIGHT - 2 * MARGIN)
        return f"{x:.1f},{y:.1f}"

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'font-family="sans-serif" font-size="12">',
             f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
             f'<text x="{WIDTH / 2}" y="24" text-anchor="middle" font-size="14">'
             f'{escape(title)}</text>',
             f'<polyline points="{xy(x0, y1)} {xy(x0, y0)} {xy(x1, y0)}" fill="none" '
             f'stroke="black"/>']
    for value in (y0, y1):
        x, y = xy(x0, value).split(",")
        parts.append(f'<text x="{float(x) - 6}" y="{float(y) + 4}" text-anchor="end">'
                     f'{value:.3f}</text>')
    for step in (x0, x1):
        x, y = xy(step, y0).split(",")
        parts.append(f'<text x="{x}" y="{float(y) + 18}" text-anchor="middle">{step:,.0f}'
                     f'</text>')
    parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT - 12}" text-anchor="middle">step</text>')
    parts.append(f'<text x="16" y="{HEIGHT / 2}" text-anchor="middle" '
                 f'transform="rotate(-90 16 {HEIGHT / 2})">loss (nats/char)</text>')
    for i, (key, label, colour) in enumerate(SERIES):
        points = " ".join(xy(r["step"], r[key]) for r in rows if math.isfinite(r[key]))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                     f'stroke-width="2"/>')
        y = MARGIN + 16 * i
        parts.append(f'<line x1="{WIDTH - 200}" y1="{y}" x2="{WIDTH - 180}" y2="{y}" '
                     f'stroke="{colour}" stroke-width="2"/><text x="{WIDTH - 174}" '
                     f'y="{y + 4}">{label}</text>')
    parts.append("</svg>\n")
    with atomic_write(path) as f:
        f.write("\n".join(parts))
