"""Signatures: handwriting-like names (a few cursive 'characters' of pen strokes with pressure and
slant), or a red personal name seal (人名章) pressed instead."""

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
         ink: str | None = None, kind: str = "hand", name: str | None = None) -> dict:
    """Sign the field box (px) of img (RGB, in place).

    kind="hand" (default): a handwriting-like signature. kind="name_seal": a red personal
    name seal (人名章) with `name` (2-3 characters, random when not given) instead.
    """
    if kind == "name_seal":
        return name_seal(img, box, rng, role, name)
    if kind != "hand":
        raise ValueError(f"unknown signature kind {kind!r}")
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


NAME_CHARS = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤明华建国志文军平伟红丽海英"


def name_seal_mask(name: str, side_px: int, rng: random.Random) -> np.ndarray:
    """Float32 alpha (h × w) of a square/rectangular personal seal: a border and the name,
    either red characters on paper (朱文) or paper-coloured characters on red (白文)."""
    from PIL import ImageDraw

    from synth.fonts import pil_font

    n = len(name)
    ss = 3
    # 2 characters side by side or 3-4 in two columns: square; 2 stacked: a tall rectangle
    tall = n == 2 and rng.random() < 0.4
    w, h = (side_px, int(side_px * 1.6)) if tall else (side_px, side_px)
    W, H = w * ss, h * ss
    canvas = Image.new("L", (W, H), 0)
    dr = ImageDraw.Draw(canvas)
    border = max(ss, int(W * rng.uniform(0.05, 0.09)))
    negative = rng.random() < 0.35  # 白文: the square is inked, the characters are not
    if negative:
        dr.rectangle((0, 0, W - 1, H - 1), fill=255)
    else:
        dr.rectangle((border // 2, border // 2, W - 1 - border // 2, H - 1 - border // 2), outline=255, width=border)
    inner = (border * 1.6, border * 1.6, W - border * 1.6, H - border * 1.6)
    iw, ih = inner[2] - inner[0], inner[3] - inner[1]
    if tall or n == 1:
        cells = [(0, k) for k in range(n)]
        cols, rows = 1, n
    elif n == 2:
        cells, cols, rows = [(0, 0), (1, 0)], 2, 1
    else:  # read right column first, top to bottom, as seals are
        rows = 2
        cols = (n + 1) // 2
        cells = [(cols - 1 - k // rows, k % rows) for k in range(n)]
    cw, ch = iw / cols, ih / rows
    font = pil_font("seal", max(6, int(min(cw, ch) * 0.95)))
    for ch_text, (cx, cy) in zip(name, cells, strict=True):
        tile = Image.new("L", (int(cw * 1.2), int(ch * 1.2)), 0)
        ImageDraw.Draw(tile).text((tile.width / 2, tile.height / 2), ch_text, fill=255, font=font, anchor="mm")
        tile = tile.resize((max(1, int(cw)), max(1, int(ch))))
        pos = (int(inner[0] + cx * cw), int(inner[1] + cy * ch))
        if negative:
            canvas.paste(0, pos, tile)
        else:
            canvas.paste(255, pos, tile)
    out = canvas.resize((w, h), Image.LANCZOS)
    return np.asarray(out, dtype=np.float32) / 255.0


def name_seal(img: Image.Image, box: tuple[int, int, int, int] | list, rng: random.Random, role: str = "填表人",
              name: str | None = None) -> dict:
    """Press a red personal name seal (人名章) into the field box (px) of img (RGB, in place).

    Its side is 70-100 % of the box height (a seal of 10-20 mm in a 10-12 mm field), placed
    anywhere along the field, slightly rotated, with uneven ink like the unit's seal."""
    from synth.seal import press_ink

    x0, y0, x1, y1 = (int(v) for v in box)
    name = name or "".join(rng.choice(NAME_CHARS) for _ in range(rng.choice((2, 3, 3))))
    side = max(10, int((y1 - y0) * rng.uniform(0.7, 1.0)))
    m = name_seal_mask(name, side, rng)
    angle = rng.uniform(-8, 8)
    hh, ww = m.shape
    pad = int(0.2 * max(hh, ww))
    m = cv2.copyMakeBorder(m, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    m = cv2.warpAffine(m, cv2.getRotationMatrix2D((m.shape[1] / 2, m.shape[0] / 2), angle, 1.0), m.shape[::-1])
    g = np.random.default_rng(rng.getrandbits(32))
    low = cv2.resize(g.uniform(0.6, 1.0, (4, 4)).astype(np.float32), m.shape[::-1], interpolation=cv2.INTER_CUBIC)
    m = np.clip(m * low * rng.uniform(0.7, 1.0), 0, 1)
    cx = rng.uniform(x0 + 0.5 * ww, max(x0 + 0.5 * ww + 1, x1 - 0.5 * ww))
    cy = (y0 + y1) / 2 + rng.uniform(-0.15, 0.15) * (y1 - y0)
    gx, gy = int(cx - m.shape[1] / 2), int(cy - m.shape[0] / 2)
    press_ink(img, m, gx, gy)
    ys, xs = np.nonzero(m > 0.2)
    ink_box = [gx + int(xs.min()), gy + int(ys.min()), gx + int(xs.max()) + 1, gy + int(ys.max()) + 1] if len(xs) else [x0, y0, x1, y1]
    return {"role": role, "box": ink_box, "present": True, "ink": "name_seal", "name": name}
