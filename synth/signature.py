"""Handwriting-like signatures: a few cursive 'characters' of pen strokes with pressure and slant."""

from __future__ import annotations

import math
import random

import cv2
import numpy as np
from PIL import Image

INKS = {"blue": (28, 38, 120), "black": (25, 25, 30), "blueblack": (30, 36, 70)}


def _bezier(p0, p1, p2, p3, n=24):
    t = np.linspace(0, 1, n)[:, None]
    return ((1 - t) ** 3) * p0 + 3 * ((1 - t) ** 2) * t * p1 + 3 * (1 - t) * t * t * p2 + t ** 3 * p3


def _strokes(rng: random.Random, chars: int) -> list[np.ndarray]:
    """Strokes in a unit box: x in [0, chars], y in [0, 1]."""
    strokes = []
    pen = np.array([0.1, 0.5])
    for k in range(chars):
        nst = rng.randint(2, 5)
        for _ in range(nst):
            kind = rng.random()
            if kind < 0.35:   # horizontal-ish
                a = np.array([k + rng.uniform(0.05, 0.4), rng.uniform(0.2, 0.8)])
                b = a + [rng.uniform(0.3, 0.7), rng.uniform(-0.15, 0.1)]
            elif kind < 0.6:  # vertical-ish / falling
                a = np.array([k + rng.uniform(0.2, 0.7), rng.uniform(0.05, 0.3)])
                b = a + [rng.uniform(-0.25, 0.2), rng.uniform(0.5, 0.85)]
            else:             # loop / hook
                a = np.array([k + rng.uniform(0.1, 0.6), rng.uniform(0.3, 0.7)])
                b = a + [rng.uniform(0.1, 0.4), rng.uniform(-0.3, 0.3)]
            c1 = a + [rng.uniform(-0.3, 0.5), rng.uniform(-0.5, 0.5)]
            c2 = b + [rng.uniform(-0.5, 0.3), rng.uniform(-0.5, 0.5)]
            # cursive link from the previous pen position sometimes
            if rng.random() < 0.45:
                strokes.append(_bezier(pen, pen + [0.15, rng.uniform(-0.3, 0.3)], a - [0.15, 0], a, 12))
            strokes.append(_bezier(a, c1, c2, b))
            pen = b
    if rng.random() < 0.5:  # final flourish
        strokes.append(_bezier(pen, pen + [0.3, 0.3], pen + [0.6, -0.2], pen + [rng.uniform(0.6, 1.2), rng.uniform(-0.4, 0.2)]))
    return strokes


def signature_layer(w: int, h: int, rng: random.Random, chars: int | None = None) -> np.ndarray:
    """Float32 ink alpha (h × w) of a signature filling most of the box."""
    chars = chars or rng.choice([2, 3, 3, 3])
    strokes = _strokes(rng, chars)
    slant = rng.uniform(0.1, 0.45)
    xs = np.concatenate([s[:, 0] - slant * s[:, 1] for s in strokes])
    ys = np.concatenate([s[:, 1] for s in strokes])
    minx, maxx, miny, maxy = xs.min(), xs.max(), ys.min(), ys.max()
    sx = (w * rng.uniform(0.7, 0.95)) / max(maxx - minx, 1e-6)
    sy = (h * rng.uniform(0.55, 0.85)) / max(maxy - miny, 1e-6)
    s = min(sx, sy * 1.6)
    ox = rng.uniform(0, max(0.0, w - (maxx - minx) * s))
    oy = (h - (maxy - miny) * min(sy, s)) * rng.uniform(0.2, 0.8)
    ss = 3
    canvas = np.zeros((h * ss, w * ss), dtype=np.uint8)
    base = max(1.0, h / 18)
    for st in strokes:
        px = ((st[:, 0] - slant * st[:, 1] - minx) * s + ox) * ss
        py = ((st[:, 1] - miny) * min(sy, s) + oy) * ss
        n = len(px)
        for i in range(n - 1):
            pressure = math.sin(math.pi * (i + 0.5) / n) * 0.7 + 0.3
            th = max(1, int(round(base * ss * pressure * rng.uniform(0.85, 1.15))))
            cv2.line(canvas, (int(px[i]), int(py[i])), (int(px[i + 1]), int(py[i + 1])), 255, th, cv2.LINE_AA)
    small = cv2.resize(canvas, (w, h), interpolation=cv2.INTER_AREA)
    return small.astype(np.float32) / 255.0


def sign(img: Image.Image, box: tuple[int, int, int, int] | list, rng: random.Random, role: str = "填表人",
         ink: str | None = None) -> dict:
    """Draw a handwriting-like signature into box (px) of img (RGB, in place)."""
    x0, y0, x1, y1 = (int(v) for v in box)
    # signatures overflow the line a little
    x1 = min(img.width, x1 + int((x1 - x0) * 0.1))
    y0 = max(0, y0 - int((y1 - y0) * 0.1))
    w, h = max(8, x1 - x0), max(8, y1 - y0)
    ink = ink or rng.choice(["blue", "black", "blueblack", "black"])
    a = signature_layer(w, h, rng)[:, :, None] * rng.uniform(0.8, 1.0)
    col = np.array(INKS[ink], dtype=np.float32)
    region = np.asarray(img.crop((x0, y0, min(img.width, x0 + w), min(img.height, y0 + h))), dtype=np.float32)
    a = a[: region.shape[0], : region.shape[1]]
    img.paste(Image.fromarray((region * (1 - a) + col * a).astype(np.uint8)), (x0, y0))
    ys, xs = np.nonzero(a[:, :, 0] > 0.2)
    ink_box = [x0 + int(xs.min()), y0 + int(ys.min()), x0 + int(xs.max()) + 1, y0 + int(ys.max()) + 1] if len(xs) else [x0, y0, x1, y1]
    return {"role": role, "box": ink_box, "present": True, "ink": ink}
