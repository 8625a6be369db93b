"""A red round official seal (公章): ring, five-pointed star, unit name along the upper arc.

The seal of a unit is one physical object: its shape (lettering) is cached per (name, dpi); each
impression varies in ink strength, texture, partial impression and rotation.  Ink is blended
multiplicatively so printed text under the seal stays visible, as on real paper.
"""

from __future__ import annotations

import math
import random
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw

from synth.fonts import pil_font

SEAL_RGB = (214, 36, 46)


@lru_cache(maxsize=64)
def seal_mask(unit_name: str, diameter_px: int, bottom_text: str = "") -> np.ndarray:
    """The seal's shape as a float32 alpha mask (diameter_px × diameter_px, 0..1)."""
    d = int(diameter_px)
    ss = 2  # supersample
    D = d * ss
    img = Image.new("L", (D, D), 0)
    dr = ImageDraw.Draw(img)
    r = D / 2
    ring = max(2, int(D * 0.032))
    dr.ellipse((ring // 2, ring // 2, D - ring // 2 - 1, D - ring // 2 - 1), outline=255, width=ring)
    # star
    rs, ri = D * 0.17, D * 0.17 * 0.382
    cx = cy = r
    pts = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        rr = rs if k % 2 == 0 else ri
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    dr.polygon(pts, fill=255)
    # name along the arc, char tops facing outwards
    name = unit_name
    n = len(name)
    span = min(270.0, max(200.0, 20.0 * n))  # degrees of arc used by the text
    ch = D * (0.16 if n <= 10 else 0.14 if n <= 16 else 0.12)
    ch = min(ch, 2 * math.pi * (r * 0.72) * (span / 360) / max(n, 1) * 1.05)
    font = pil_font("seal", max(8, int(ch)))
    rt = r - ring - ch * 0.62
    for i, c in enumerate(name):
        ang = -span / 2 + span * (i + 0.5) / n  # degrees from top, clockwise
        tile = Image.new("L", (int(ch * 1.5), int(ch * 1.5)), 0)
        td = ImageDraw.Draw(tile)
        td.text((tile.width / 2, tile.height / 2), c, fill=255, font=font, anchor="mm")
        tile = tile.resize((tile.width, int(tile.height * 1.12)))  # seal lettering is tall
        rot = tile.rotate(-ang, resample=Image.BICUBIC, expand=True)
        a = math.radians(ang)
        px, py = cx + rt * math.sin(a), cy - rt * math.cos(a)
        img.paste(255, (int(px - rot.width / 2), int(py - rot.height / 2)), rot)
    if bottom_text:
        bf = pil_font("seal", max(8, int(D * 0.085)))
        dr.text((cx, cy + D * 0.3), bottom_text, fill=255, font=bf, anchor="mm")
    out = img.resize((d, d), Image.LANCZOS)
    return np.asarray(out, dtype=np.float32) / 255.0


def _impression(mask: np.ndarray, rng: random.Random, strength: float, partial: float,
                rotation: float, scale: float = 1.0) -> np.ndarray:
    d = mask.shape[0]
    m = cv2.warpAffine(mask, cv2.getRotationMatrix2D((d / 2, d / 2), -rotation, scale), (d, d),
                       flags=cv2.INTER_LINEAR)
    g = np.random.default_rng(rng.getrandbits(32))
    # uneven ink: low-frequency blotches + speckle
    low = cv2.resize(g.uniform(0.55, 1.0, (8, 8)).astype(np.float32), (d, d), interpolation=cv2.INTER_CUBIC)
    speck = (g.random((d, d)) > rng.uniform(0.03, 0.15)).astype(np.float32)
    speck = cv2.GaussianBlur(speck, (3, 3), 0)
    m = m * np.minimum(low, 1.0) * (0.35 + 0.65 * speck)
    if partial > 0:
        # one side of the seal pressed lightly: fades along a random direction
        a = rng.uniform(0, 2 * math.pi)
        yy, xx = np.mgrid[0:d, 0:d].astype(np.float32)
        proj = ((xx - d / 2) * math.cos(a) + (yy - d / 2) * math.sin(a)) / (d / 2)  # -1..1
        cut = 1 - 2 * partial  # the share `partial` of the disc beyond `cut` fades out
        fade = np.clip((cut - proj) / 0.35 + 0.0, 0.0, 1.0)
        m = m * fade
    m = cv2.GaussianBlur(m, (0, 0), 0.6)
    return np.minimum(m * (strength * 1.15), 1.0)


def press_ink(img: Image.Image, mask: np.ndarray, x0: int, y0: int) -> None:
    """Multiply seal-red ink of strength `mask` (0..1) into the page at (x0, y0), clipped to it."""
    sx0, sy0 = max(0, -x0), max(0, -y0)
    ex, ey = min(mask.shape[1], img.width - x0), min(mask.shape[0], img.height - y0)
    if ex > sx0 and ey > sy0:
        rb = (x0 + sx0, y0 + sy0, x0 + ex, y0 + ey)
        region = np.asarray(img.crop(rb), dtype=np.float32)
        a = mask[sy0:ey, sx0:ex, None]
        ink = np.array(SEAL_RGB, dtype=np.float32) / 255.0
        img.paste(Image.fromarray((region * (1 - a * (1 - ink))).astype(np.uint8)), rb[:2])


def stamp(img: Image.Image, unit_name: str, rng: random.Random, center: tuple[float, float] | None = None,
          dpi: int = 200, strength: float | None = None, partial: float | None = None,
          rotation: float | None = None, diameter_mm: float = 42.0, bottom_text: str = "") -> dict:
    """Press the unit's seal onto img (RGB, in place). Returns the seal's ground truth."""
    if img.mode != "RGB":
        raise ValueError("stamp() needs an RGB page (stamp before a grey scan)")
    d = int(round(diameter_mm / 25.4 * dpi))
    scale = rng.uniform(0.97, 1.0)  # ink spread / paper: the same seal prints slightly differently
    if center is None:
        center = (img.width * rng.uniform(0.55, 0.8), img.height * rng.uniform(0.7, 0.88))
    strength = rng.uniform(0.55, 1.0) if strength is None else strength
    partial = (rng.uniform(0.1, 0.4) if rng.random() < 0.15 else 0.0) if partial is None else partial
    rotation = rng.gauss(0, 12) if rotation is None else rotation
    m = _impression(seal_mask(unit_name, d, bottom_text), rng, strength, partial, rotation, scale)
    cx, cy = int(round(center[0])), int(round(center[1]))
    x0, y0 = cx - d // 2, cy - d // 2
    press_ink(img, m, x0, y0)
    r = d / 2 * scale
    return {"center": [cx, cy], "radius": int(round(r)),
            "box": [max(0, x0), max(0, y0), min(img.width, x0 + d), min(img.height, y0 + d)],
            "strength": round(strength, 3), "partial": round(partial, 3), "rotation": round(rotation, 1)}


def box_in_disc(box: tuple[float, float, float, float] | list, center: tuple[float, float] | list,
                radius: float) -> bool:
    """Whether a box intersects the seal's disc."""
    x0, y0, x1, y1 = box
    cx, cy = center
    nx, ny = min(max(cx, x0), x1), min(max(cy, y0), y1)
    return (nx - cx) ** 2 + (ny - cy) ** 2 <= radius ** 2
