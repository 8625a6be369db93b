"""Hand-drawn stand-ins for scanned form pages: seals, decoys, signatures, scan effects.

Used by the seal/signature tests and the seal benchmark so they do not depend on anything
but OpenCV and Pillow. Sizes follow A4 at the given dpi; nothing here is read by the
detectors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

A4_MM = (210.0, 297.0)
FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
SEAL_RED = (40, 30, 210)  # BGR
LABELS = ("单位负责人", "统计负责人", "填表人")


@lru_cache(maxsize=16)
def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    for path in FONT_PATHS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def mm(dpi: int, value: float) -> int:
    return round(value / 25.4 * dpi)


@dataclass
class Page:
    image: np.ndarray  # BGR
    dpi: int
    label_boxes: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    sign_regions: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)


def _draw_text(img: np.ndarray, xy: tuple[int, int], text: str, size: int, colour=(0, 0, 0)) -> tuple[int, int, int, int]:
    pil = Image.fromarray(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
    draw = ImageDraw.Draw(pil)
    font = cjk_font(size)
    draw.text(xy, text, font=font, fill=(colour[2], colour[1], colour[0]))
    box = draw.textbbox(xy, text, font=font)
    img[:] = cv2.cvtColor(np.asarray(pil), cv2.COLOR_RGB2BGR)
    return box[0], box[1], box[2] - box[0], box[3] - box[1]


def form_page(dpi: int = 200, rng: np.random.Generator | None = None, rows: int = 22, signature_block: bool = False) -> Page:
    """A printed survey page: title, identity line, a ruled table of figures, page footer."""
    rng = rng or np.random.default_rng(0)
    w, h = mm(dpi, A4_MM[0]), mm(dpi, A4_MM[1])
    img = np.full((h, w, 3), 255, np.uint8)
    fs = mm(dpi, 3.7)
    _draw_text(img, (mm(dpi, 45), mm(dpi, 18)), "2024年度科普统计调查表", mm(dpi, 6))
    _draw_text(img, (mm(dpi, 20), mm(dpi, 32)), "单位名称：天津市和平区科学技术局   统一社会信用代码：11120101MB1234567X", fs)
    left, right = mm(dpi, 20), w - mm(dpi, 20)
    cols = [left, left + mm(dpi, 95), left + mm(dpi, 120), left + mm(dpi, 140), right]
    top, row_h = mm(dpi, 42), mm(dpi, 8.5)
    n_rows = rows if not signature_block else 8
    for i in range(n_rows + 1):
        y = top + i * row_h
        cv2.line(img, (left, y), (right, y), (0, 0, 0), max(1, dpi // 100))
    for x in cols:
        cv2.line(img, (x, top), (x, top + n_rows * row_h), (0, 0, 0), max(1, dpi // 100))
    words = ["科普专职人员", "其中：女性", "科普兼职人员", "科技馆个数", "年度科普经费筹集额", "政府拨款", "科普活动支出"]
    for i in range(n_rows):
        y = top + i * row_h + mm(dpi, 2)
        _draw_text(img, (cols[0] + mm(dpi, 2), y), words[i % len(words)], fs)
        _draw_text(img, (cols[1] + mm(dpi, 4), y), "人", fs)
        _draw_text(img, (cols[2] + mm(dpi, 3), y), f"P{i + 1:02d}", fs)
        _draw_text(img, (cols[3] + mm(dpi, 4), y), f"{int(rng.integers(0, 99999))}", fs)
    page = Page(img, dpi)
    if signature_block:
        y = top + n_rows * row_h + mm(dpi, 25)
        x = left
        for label in LABELS:
            box = _draw_text(img, (x, y), label + "：", fs)
            page.label_boxes[label] = box
            line_y = box[1] + box[3] + mm(dpi, 1)
            x_end = box[0] + box[2] + mm(dpi, 32)
            cv2.line(img, (box[0] + box[2], line_y), (x_end, line_y), (0, 0, 0), max(1, dpi // 100))
            page.sign_regions[label] = (box[0] + box[2], box[1] - mm(dpi, 4), mm(dpi, 32), box[3] + mm(dpi, 8))
            x = x_end + mm(dpi, 6)
        _draw_text(img, (left, y + mm(dpi, 14)), "联系电话：022-23456789      报出日期：2025-06-20", fs)
        _draw_text(img, (right - mm(dpi, 40), y + mm(dpi, 28)), "（单位盖章）", fs)
    _draw_text(img, (mm(dpi, 85), h - mm(dpi, 15)), "第 1 页 共 3 页   打印时间 2025-06-18 10:32", fs)
    return page


def stamp_seal(
    img: np.ndarray,
    centre: tuple[int, int],
    diameter: int,
    *,
    text: str = "天津市和平区科学技术局",
    colour: tuple[int, int, int] = SEAL_RED,
    strength: float = 0.9,
    coverage: float = 1.0,
    oval: float = 1.0,
    double_ring: bool = False,
    rng: np.random.Generator | None = None,
) -> None:
    """Multiply-blend a round seal (ring, star, arc text) onto the page, in place.

    strength < 1 fades the ink; coverage < 1 leaves part of the impression out (uneven
    pressure); oval < 1 squashes it vertically (oval seals).
    """
    rng = rng or np.random.default_rng(1)
    size = diameter + 8
    seal = np.zeros((size, size), np.float32)
    c = size // 2
    r = diameter // 2
    thick = max(2, round(diameter * 0.028))
    cv2.circle(seal, (c, c), r - thick // 2, 1.0, thick, cv2.LINE_AA)
    if double_ring:
        cv2.circle(seal, (c, c), r - thick * 3, 1.0, max(1, thick // 2), cv2.LINE_AA)
    star_r = diameter * 0.14
    pts = []
    for k in range(10):
        rad = star_r if k % 2 == 0 else star_r * 0.382
        a = -math.pi / 2 + k * math.pi / 5
        pts.append((c + rad * math.cos(a), c + rad * math.sin(a)))
    cv2.fillPoly(seal, [np.round(np.array(pts)).astype(np.int32)], 1.0, cv2.LINE_AA)
    # Arc text: each character rotated to face the centre.
    font_px = max(8, int(diameter * 0.13))
    span = math.radians(250)
    n = len(text)
    for i, ch in enumerate(text):
        a = -math.pi / 2 - span / 2 + span * (i + 0.5) / n
        glyph = Image.new("L", (font_px * 2, font_px * 2), 0)
        ImageDraw.Draw(glyph).text((font_px // 2, font_px // 2), ch, font=cjk_font(font_px), fill=255)
        glyph = glyph.rotate(-math.degrees(a) - 90, resample=Image.BILINEAR)
        g = np.asarray(glyph, np.float32) / 255
        rad = r - thick - font_px * 0.75
        gx = int(c + rad * math.cos(a) - font_px)
        gy = int(c + rad * math.sin(a) - font_px)
        x0, y0 = max(0, gx), max(0, gy)
        x1, y1 = min(size, gx + g.shape[1]), min(size, gy + g.shape[0])
        seal[y0:y1, x0:x1] = np.maximum(seal[y0:y1, x0:x1], g[y0 - gy : y1 - gy, x0 - gx : x1 - gx])
    if oval != 1.0:
        seal = cv2.resize(seal, (size, max(8, int(size * oval))))
    # Uneven pressure: a smooth random field, then cut where the impression is missing.
    noise = cv2.resize(rng.random((8, 8)).astype(np.float32), seal.shape[::-1], interpolation=cv2.INTER_CUBIC)
    if coverage < 1.0:
        seal *= (noise < np.quantile(noise, coverage)).astype(np.float32)
    seal *= strength * (0.75 + 0.25 * noise)
    speckle = rng.random(seal.shape).astype(np.float32)
    seal *= (speckle > 0.08).astype(np.float32)
    _blend(img, seal, centre, colour)


def _blend(img: np.ndarray, alpha: np.ndarray, centre: tuple[int, int], colour: tuple[int, int, int]) -> None:
    h, w = alpha.shape
    gx, gy = centre[0] - w // 2, centre[1] - h // 2
    x0, y0 = max(0, gx), max(0, gy)
    x1, y1 = min(img.shape[1], gx + w), min(img.shape[0], gy + h)
    if x1 <= x0 or y1 <= y0:
        return
    a = alpha[y0 - gy : y1 - gy, x0 - gx : x1 - gx, None]
    region = img[y0:y1, x0:x1].astype(np.float32)
    ink = np.array(colour, np.float32) / 255.0
    # Ink is a filter: multiply, so text under the seal stays readable.
    img[y0:y1, x0:x1] = np.clip(region * (1 - a + a * ink), 0, 255).astype(np.uint8)


def red_tick(img: np.ndarray, at: tuple[int, int], size: int, colour=(30, 30, 220)) -> None:
    x, y = at
    pts = np.array([(x, y), (x + size // 3, y + size // 2), (x + size, y - size // 2)], np.int32)
    cv2.polylines(img, [pts], False, colour, max(2, size // 12), cv2.LINE_AA)


def red_circle_mark(img: np.ndarray, at: tuple[int, int], radius: int, colour=(30, 30, 220)) -> None:
    """A hand-drawn red loop around a figure (an auditor's mark)."""
    pts = [
        (at[0] + radius * 1.4 * math.cos(t) + 2 * math.sin(5 * t), at[1] + radius * 0.7 * math.sin(t))
        for t in np.linspace(0, 2 * math.pi * 1.1, 60)
    ]
    cv2.polylines(img, [np.round(np.array(pts)).astype(np.int32)], False, colour, max(2, radius // 15), cv2.LINE_AA)


def red_text(img: np.ndarray, at: tuple[int, int], text: str, size: int, underline: bool = True) -> None:
    box = _draw_text(img, at, text, size, colour=(30, 30, 210))
    if underline:
        y = box[1] + box[3] + 4
        cv2.line(img, (box[0], y), (box[0] + box[2], y), (30, 30, 210), max(2, size // 10))


def handwriting(img: np.ndarray, region: tuple[int, int, int, int], rng: np.random.Generator, colour=(60, 20, 10)) -> None:
    """Cursive-looking strokes filling part of a region: a stand-in for a signature."""
    x, y, w, h = region
    n_chars = int(rng.integers(2, 4))
    cw = w * 0.7 / n_chars
    thick = max(2, h // 18)
    for k in range(n_chars):
        x0 = x + w * 0.1 + k * cw
        t = np.linspace(0, 1, 40)
        xs = x0 + cw * (t + 0.15 * np.sin(2 * math.pi * t * rng.uniform(2, 4)))
        ys = y + h * (0.5 + 0.3 * np.sin(2 * math.pi * t * rng.uniform(1.5, 3) + rng.uniform(0, 6)))
        cv2.polylines(img, [np.column_stack([xs, ys]).astype(np.int32)], False, colour, thick, cv2.LINE_AA)


# --- scan effects ----------------------------------------------------------------------------


def to_grey(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)


def jpeg(img: np.ndarray, quality: int = 75) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else img


def rotate(img: np.ndarray, degrees: float) -> np.ndarray:
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(img, m, (w, h), borderValue=(255, 255, 255))


def phone_photo(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Perspective on a darker desk, uneven light, blur and noise."""
    h, w = img.shape[:2]
    out_w, out_h = int(w * 1.15), int(h * 1.1)
    jitter = lambda s: rng.uniform(0.02, 0.08) * s  # noqa: E731
    dst = np.float32(
        [
            [jitter(out_w), jitter(out_h)],
            [out_w - jitter(out_w), jitter(out_h)],
            [out_w - jitter(out_w), out_h - jitter(out_h)],
            [jitter(out_w), out_h - jitter(out_h)],
        ]
    )
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    m = cv2.getPerspectiveTransform(src, dst)
    out = cv2.warpPerspective(img, m, (out_w, out_h), borderValue=(70, 80, 90))
    yy, xx = np.mgrid[0:out_h, 0:out_w].astype(np.float32)
    light = 0.75 + 0.25 * (xx / out_w) * (0.6 + 0.4 * yy / out_h)
    out = np.clip(out.astype(np.float32) * light[..., None], 0, 255).astype(np.uint8)
    out = cv2.GaussianBlur(out, (3, 3), 0.8)
    noise = rng.normal(0, 4, out.shape).astype(np.float32)
    return jpeg(np.clip(out.astype(np.float32) + noise, 0, 255).astype(np.uint8), 80)


# --- pages from the synthetic world (synth package) ------------------------------------------


@dataclass
class SynthCase:
    """A scanned page built from the synthetic world, with what the detectors should find."""

    image: np.ndarray  # BGR as a scan arrives
    seal_box: tuple[int, int, int, int] | None  # (x, y, w, h) in image pixels, None = no seal
    seal_strength: float
    label_boxes: dict[str, tuple[int, int, int, int]]  # (x, y, w, h); signature page only
    signed: dict[str, bool]
    profile: str
    seal_visibility: float | None = None  # share of the seal's ink still visible in the scan
    matrix: list[list[float]] | None = None  # 3x3: printed page px -> scan px
    print_size: tuple[int, int] = (0, 0)  # (width, height) of the printed page in px
    print_label_boxes: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)


@lru_cache(maxsize=8)
def synth_form(layout: str = "A", dpi: int = 150, seed: int = 1):
    """(form, page images) of the demo unit, rendered once per layout/dpi."""
    import random

    from synth import demo_unit, demo_values, rasterize, render_form

    unit = demo_unit()
    form = render_form(unit, demo_values(unit, random.Random(seed)), layout=layout)
    return unit, form, tuple(rasterize(form.pdf, dpi))


def synth_case(
    page_no: int,
    profile: str,
    seed: int,
    *,
    layout: str = "A",
    dpi: int = 150,
    seal: bool = True,
    seal_kwargs: dict | None = None,
    seal_centre: tuple[float, float] | None = None,
    decoys: tuple[str, ...] = (),
    unsigned: tuple[str, ...] = (),
    measure_visibility: bool = False,
) -> SynthCase:
    """Print -> (sign) -> (stamp) -> (decoys) -> scan one page of the demo form.

    page_no is 1-based; the last page carries the signature block and gets signed except for
    the roles in `unsigned`. Decoys: "tick", "red_text", "red_loop", "red_line".
    measure_visibility: also scan the unstamped page with the same scanner randomness and
    compare, to know how much of the seal survived the scan (bw scans lose pale seals).
    """
    import random

    from synth import map_box, scan, sign, stamp

    unit, form, pages = synth_form(layout, dpi)
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    img = pages[page_no - 1].copy()
    k = dpi / 72.0
    signed: dict[str, bool] = {}
    label_px: dict[str, tuple[float, float, float, float]] = {}
    if page_no == form.pages_total:
        for field_box in form.signature_fields:
            x0, y0, x1, y1 = (v * k for v in field_box.box_pt)
            font = 10.5 * k  # the block's label size in points, as px
            baseline = y1 - 6 * k
            label_w = (len(field_box.role) + 1) * font
            label_px[field_box.role] = (x0 - 2 * k - label_w, baseline - 0.85 * font, x0 - 2 * k, baseline + 0.2 * font)
            if field_box.role in unsigned:
                signed[field_box.role] = False
            else:
                sign(img, [round(x0), round(y0), round(x1), round(y1)], rng, field_box.role)
                signed[field_box.role] = True
    arr = cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)
    _add_decoys(arr, decoys, dpi, nrng)
    img = Image.fromarray(cv2.cvtColor(arr, cv2.COLOR_BGR2RGB))
    seal_info = None
    unstamped = img.copy()
    if seal:
        centre = seal_centre or (img.width * rng.uniform(0.45, 0.8), img.height * rng.uniform(0.25, 0.85))
        seal_info = stamp(img, unit.name, rng, center=centre, dpi=dpi, **(seal_kwargs or {}))
    scan_seed = rng.getrandbits(32)
    result = scan(img, profile, random.Random(scan_seed), dpi=dpi)
    out = _as_bgr_array(result.image)
    visibility = None
    if measure_visibility and seal_info is not None:
        bare = _as_bgr_array(scan(unstamped, profile, random.Random(scan_seed), dpi=dpi).image)
        visibility = _seal_visibility(out, bare, seal_info, map_box(result.matrix, seal_info["box"]), unit.name)
    seal_box = None
    if seal_info is not None:
        x0, y0, x1, y1 = map_box(result.matrix, seal_info["box"])
        seal_box = (x0, y0, x1 - x0, y1 - y0)
    labels = {}
    for role, box in label_px.items():
        x0, y0, x1, y1 = map_box(result.matrix, box)
        labels[role] = (x0, y0, x1 - x0, y1 - y0)
    strength = seal_info["strength"] if seal_info else 0.0
    print_labels = {role: (round(b[0]), round(b[1]), round(b[2] - b[0]), round(b[3] - b[1])) for role, b in label_px.items()}
    return SynthCase(
        out, seal_box, strength, labels, signed, profile, visibility, result.matrix, img.size, print_labels
    )


def normalised(case: SynthCase) -> tuple[np.ndarray, dict[str, tuple[int, int, int, int]]]:
    """The scan warped back onto the printed page, as the reader's normaliser would do
    (orientation and perspective), with the label boxes in that geometry."""
    inverse = np.linalg.inv(np.asarray(case.matrix, dtype=np.float64))
    upright = cv2.warpPerspective(case.image, inverse, case.print_size, borderValue=(255, 255, 255))
    return upright, dict(case.print_label_boxes)


def _as_bgr_array(image: Image.Image) -> np.ndarray:
    arr = np.asarray(image)
    return cv2.cvtColor(arr, cv2.COLOR_GRAY2BGR) if arr.ndim == 2 else cv2.cvtColor(arr, cv2.COLOR_RGB2BGR)


def _seal_visibility(scanned: np.ndarray, bare: np.ndarray, seal_info: dict, box: list[int], unit_name: str) -> float:
    """Pixels the seal darkened in the scan / pixels a clear impression of it has."""
    from synth.seal import seal_mask

    x0, y0, x1, y1 = (max(0, v) for v in box)
    with_seal = cv2.cvtColor(scanned[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY).astype(np.int16)
    without = cv2.cvtColor(bare[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY).astype(np.int16)
    darkened = int(np.count_nonzero(without - with_seal > 40))
    diameter = 2 * seal_info["radius"]
    ink = int(np.count_nonzero(seal_mask(unit_name, diameter) > 0.5))
    px, py, qx, qy = seal_info["box"]
    area_ratio = max(1, (x1 - x0) * (y1 - y0)) / max(1, (qx - px) * (qy - py))
    return round(darkened / max(1.0, ink * area_ratio), 3)


def _add_decoys(img: np.ndarray, decoys: tuple[str, ...], dpi: int, rng: np.random.Generator) -> None:
    h, w = img.shape[:2]
    for decoy in decoys:
        x, y = int(rng.uniform(0.15, 0.75) * w), int(rng.uniform(0.15, 0.85) * h)
        if decoy == "tick":
            for _ in range(int(rng.integers(1, 6))):
                red_tick(img, (int(rng.uniform(0.6, 0.85) * w), int(rng.uniform(0.1, 0.9) * h)), mm(dpi, 6))
        elif decoy == "red_text":
            red_text(img, (int(0.1 * w), y), "审核意见：数据已核对无误 同意上报", mm(dpi, 5), underline=True)
        elif decoy == "red_loop":
            red_circle_mark(img, (x, y), mm(dpi, float(rng.uniform(5, 12))))
        elif decoy == "red_line":
            cv2.line(img, (int(0.1 * w), y), (int(0.9 * w), y + int(rng.integers(-5, 6))), (40, 40, 210), max(2, dpi // 60))
        else:
            raise ValueError(f"unknown decoy {decoy!r}")
