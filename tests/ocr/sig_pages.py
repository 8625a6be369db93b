"""Signature-block test pages in several layouts, fonts, sizes and scan qualities.

Each page is a whole A4 page (the seal detector sizes seals against the page) with the end of
a ruled table, the signature block, 联系电话 / 报出日期 and （单位盖章）. Layouts:

- "right":    label, then an underline; the name is written on the underline (the project's form)
- "overline": label, then a printed line; the name is written across the line
- "below":    a ruled table: labels in the header cells, names in the empty cells below
- "open":     labels above a line with free space; the name is written below the label
- "stacked":  one label per row at the left margin, names to the right

Names are handwritten (synth.signature.sign), a red personal name seal (人名章) or absent.
A unit seal (synth.seal.stamp) can be pressed over one field. `lines` stand in for the OCR
lines: labels and printed words, optionally with the OCR faults seen on real pages (a label box
swollen by the handwriting next to it, a label not read at all).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from synth.scanner import map_box, scan
from synth.seal import stamp
from synth.signature import sign

ROLES = ("单位负责人", "统计负责人", "填表人")
LAYOUTS = ("right", "overline", "below", "open", "stacked")
FONTS = {
    "wqy": ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    "uming": ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    "noto-sans": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    "noto-serif": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
}
XYWH = tuple[int, int, int, int]


@dataclass
class SigPage:
    image: np.ndarray  # BGR, upright (as the reader's normaliser leaves it)
    label_boxes: dict[str, XYWH]  # true label boxes (x, y, w, h)
    lines: list[tuple[str, tuple[int, int, int, int]]]  # OCR-like lines: (text, (x0, y0, x1, y1))
    signed: dict[str, bool]
    field_boxes: dict[str, XYWH]  # where each name goes
    seal_box: XYWH | None = None
    ink_boxes: dict[str, XYWH] = field(default_factory=dict)  # the name's ink, signed roles


def mm(dpi: int, value: float) -> int:
    return round(value / 25.4 * dpi)


def sig_page(
    layout: str = "right",
    *,
    dpi: int = 200,
    font: str = "wqy",
    names: dict[str, str] | None = None,
    seal_over: str | None = None,
    profile: str = "colour",
    seed: int = 0,
    swollen: tuple[str, ...] = (),
    dropped: tuple[str, ...] = (),
    label_text: str = "{role}：",
) -> SigPage:
    """Draw, sign, stamp and scan one signature page.

    names: role -> "hand" | "name_seal" | "empty" (default: every role "hand").
    seal_over: a role whose field gets the unit seal's centre (near it), or None.
    profile: "colour" | "grey" | "phone" (the photo is warped back upright, as the reader does).
    swollen: roles whose OCR line box also covers their name's ink (one OCR fault);
    dropped: roles whose OCR line is missing.
    """
    rng = random.Random(seed)
    names = {role: "hand" for role in ROLES} | (names or {})
    w, h = mm(dpi, 210), mm(dpi, 297)
    img = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(img)
    path, index = FONTS[font]
    size = mm(dpi, 3.7)
    fnt = ImageFont.truetype(path, size, index=index)
    line_w = max(1, dpi // 100)
    left, right = mm(dpi, 20), w - mm(dpi, 20)

    def text(xy: tuple[int, int], s: str) -> tuple[int, int, int, int]:
        draw.text(xy, s, font=fnt, fill=(0, 0, 0))
        return draw.textbbox(xy, s, font=fnt)

    lines: list[tuple[str, tuple[int, int, int, int]]] = []
    # the end of the figures table
    top, row_h = mm(dpi, 150), mm(dpi, 8.5)
    for i in range(5):
        y = top + i * row_h
        draw.line((left, y, right, y), fill=(0, 0, 0), width=line_w)
        if i < 4:
            lines.append((f"科普活动支出{i}", text((left + mm(dpi, 2), y + mm(dpi, 2)), f"科普活动支出{i}")))
            text((right - mm(dpi, 30), y + mm(dpi, 2)), f"{rng.randint(0, 99999)}")
    for x in (left, left + mm(dpi, 95), right):
        draw.line((x, top, x, top + 4 * row_h), fill=(0, 0, 0), width=line_w)
    y0 = top + 4 * row_h + mm(dpi, 14)

    labels: dict[str, tuple[int, int, int, int]] = {}
    fields: dict[str, tuple[int, int, int, int]] = {}
    third = (right - left) // 3
    if layout in ("right", "overline", "open"):
        for k, role in enumerate(ROLES):
            x = left + k * third
            b = text((x, y0), label_text.format(role=role))
            labels[role] = b
            if layout == "open":
                # free space under the label, closed by a line: the name goes under the label
                ly = b[3] + mm(dpi, 12)
                draw.line((x, ly, x + third - mm(dpi, 6), ly), fill=(0, 0, 0), width=line_w)
                fields[role] = (x, b[3] + mm(dpi, 1), x + min(third - mm(dpi, 8), mm(dpi, 34)), ly + mm(dpi, 1))
                continue
            ly = b[3] + mm(dpi, 0.6) if layout == "right" else (b[1] + b[3]) // 2 + mm(dpi, 1)
            fx1 = min(b[2] + mm(dpi, 32), x + third - mm(dpi, 4))
            draw.line((b[2] + mm(dpi, 1), ly, fx1, ly), fill=(0, 0, 0), width=line_w)
            if layout == "right":
                fields[role] = (b[2] + mm(dpi, 1), b[1] - mm(dpi, 5.5), fx1, b[3] + mm(dpi, 1.5))
            else:  # the name straddles the line
                fields[role] = (b[2] + mm(dpi, 1), ly - mm(dpi, 5), fx1, ly + mm(dpi, 4))
        bottom = y0 + mm(dpi, 16 if layout == "open" else 10)
    elif layout == "below":
        cell_h, head_h = mm(dpi, 16), mm(dpi, 8)
        ys = (y0, y0 + head_h, y0 + head_h + cell_h)
        for y in ys:
            draw.line((left, y, right, y), fill=(0, 0, 0), width=line_w)
        for k in range(4):
            x = left + k * third
            draw.line((x, ys[0], x, ys[2]), fill=(0, 0, 0), width=line_w)
        for k, role in enumerate(ROLES):
            x = left + k * third
            tw = draw.textlength(label_text.format(role=role).rstrip("：:"), font=fnt)
            labels[role] = text((int(x + (third - tw) / 2), y0 + mm(dpi, 1.8)), label_text.format(role=role).rstrip("：:"))
            fields[role] = (x + mm(dpi, 4), ys[1] + mm(dpi, 2), x + third - mm(dpi, 4), ys[2] - mm(dpi, 2))
        bottom = ys[2] + mm(dpi, 4)
    elif layout == "stacked":
        for k, role in enumerate(ROLES):
            y = y0 + k * mm(dpi, 12)
            b = text((left, y), label_text.format(role=role))
            labels[role] = b
            fx1 = b[2] + mm(dpi, 45)
            draw.line((b[2] + mm(dpi, 1), b[3] + mm(dpi, 0.6), fx1, b[3] + mm(dpi, 0.6)), fill=(0, 0, 0), width=line_w)
            fields[role] = (b[2] + mm(dpi, 1), b[1] - mm(dpi, 5), fx1, b[3] + mm(dpi, 1.5))
        # 联系电话 / 报出日期 to the right of the stack
        bottom = y0
        left = left + mm(dpi, 95)
    else:
        raise ValueError(f"unknown layout {layout!r}")
    ph = "联系电话：022-23456789"
    lines.append((ph, text((left, bottom + mm(dpi, 4)), ph)))
    date = "报出日期：2025年06月20日"
    lines.append((date, text((left + (mm(dpi, 85) if layout != "stacked" else 0),
                              bottom + mm(dpi, 4 if layout != "stacked" else 16)), date)))
    lines.append(("（单位盖章）", text((w - mm(dpi, 60), bottom + mm(dpi, 28)), "（单位盖章）")))

    signed: dict[str, bool] = {}
    ink: dict[str, tuple[int, int, int, int]] = {}
    for role in ROLES:
        kind = names[role]
        signed[role] = kind != "empty"
        if kind != "empty":
            ink[role] = tuple(sign(img, fields[role], rng, role, kind=kind)["box"])
    seal = None
    if seal_over is not None:
        fx0, fy0, fx1, fy1 = fields[seal_over]
        centre = ((fx0 + fx1) / 2 + rng.uniform(-0.2, 0.2) * (fx1 - fx0), (fy0 + fy1) / 2 + rng.uniform(-3, 3) * dpi / 25.4)
        seal = stamp(img, "天津市和平区科学技术协会", rng, center=centre, dpi=dpi, strength=rng.uniform(0.7, 1.0), partial=0.0)["box"]

    image, matrix = _scan(img, profile, rng, dpi)

    def to_scan(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        x0, y0_, x1, y1 = map_box(matrix, box)
        return (x0, y0_, x1, y1)

    for role in ROLES:
        if role in dropped:
            continue
        box = labels[role]
        if role in swollen and role in ink:
            box = _union(box, ink[role])
        lines.append((label_text.format(role=role), to_scan(box)))
    lines = [(t, to_scan(b)) if not t.startswith(tuple(ROLES)) else (t, b) for t, b in lines]
    return SigPage(
        image=image,
        label_boxes={role: _xywh(to_scan(b)) for role, b in labels.items()},
        lines=lines,
        signed=signed,
        field_boxes={role: _xywh(to_scan(b)) for role, b in fields.items()},
        seal_box=_xywh(to_scan(seal)) if seal else None,
        ink_boxes={role: _xywh(to_scan(b)) for role, b in ink.items()},
    )


def _scan(img: Image.Image, profile: str, rng: random.Random, dpi: int) -> tuple[np.ndarray, np.ndarray]:
    """Scan, then undo the page geometry as the reader's normaliser would (up to a small
    residual skew of at most 0.4 degrees)."""
    if profile == "phone":
        result = scan(img, "phone", rng, dpi=dpi)
        arr = np.asarray(result.image)
        inverse = np.linalg.inv(np.asarray(result.matrix, dtype=np.float64))
        upright = cv2.warpPerspective(arr, inverse, img.size, borderValue=(255, 255, 255))
        return cv2.cvtColor(upright, cv2.COLOR_RGB2BGR), np.eye(3)
    result = scan(img, "grey" if profile == "grey" else "colour", rng, dpi=dpi)
    arr = np.asarray(result.image)
    arr = cv2.cvtColor(arr, cv2.COLOR_GRAY2BGR) if arr.ndim == 2 else cv2.cvtColor(arr, cv2.COLOR_RGB2BGR)
    matrix = np.asarray(result.matrix, dtype=np.float64)
    angle = np.degrees(np.arctan2(-matrix[1, 0], matrix[0, 0]))
    residual = float(np.clip(angle, -0.4, 0.4))
    # deskew to the residual: rotate by -(angle - residual) about the centre
    h, w = arr.shape[:2]
    back = np.vstack([cv2.getRotationMatrix2D((w / 2, h / 2), residual - angle, 1.0), [0, 0, 1]])
    fill = (235, 235, 235)
    arr = cv2.warpAffine(arr, back[:2], (w, h), borderValue=fill)
    ok, buf = cv2.imencode(".jpg", arr, [cv2.IMWRITE_JPEG_QUALITY, rng.choice((50, 70, 90))])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR), back @ matrix


def _union(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def _xywh(box: tuple[int, int, int, int]) -> XYWH:
    x0, y0, x1, y1 = (int(v) for v in box)
    return x0, y0, x1 - x0, y1 - y0
