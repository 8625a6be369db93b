"""Scanner and phone-camera simulator, and a minimal image-PDF writer.

``scan(img, profile, rng)`` returns the degraded image and the 3×3 homography that maps input
pixel coordinates to output pixel coordinates, so ground-truth boxes can follow the page.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

SCAN_PROFILES = ("clean", "colour", "grey", "bw", "phone", "upside_down")


@dataclass
class ScanResult:
    image: Image.Image
    matrix: list[list[float]]          # 3x3 homography: input px -> output px
    profile: str
    upside_down: bool = False
    params: dict = field(default_factory=dict)


def map_point(matrix, x: float, y: float) -> tuple[float, float]:
    m = np.asarray(matrix, dtype=np.float64)
    v = m @ np.array([x, y, 1.0])
    return float(v[0] / v[2]), float(v[1] / v[2])


def map_box(matrix, box) -> list[int]:
    """Axis-aligned bounding box of a box's four corners mapped through the homography."""
    x0, y0, x1, y1 = box
    pts = [map_point(matrix, x, y) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return [int(math.floor(min(xs))), int(math.floor(min(ys))), int(math.ceil(max(xs))), int(math.ceil(max(ys)))]


def _skew_angle(rng: random.Random, limit: float = 3.0) -> float:
    return max(-limit, min(limit, rng.gauss(0, limit / 2.5)))


def _affine3(m2x3: np.ndarray) -> np.ndarray:
    return np.vstack([m2x3, [0, 0, 1]])


def _noise(arr: np.ndarray, g: np.random.Generator, sigma: float) -> np.ndarray:
    if sigma <= 0:
        return arr
    h, w = arr.shape[:2]
    n = g.standard_normal((h, w), dtype=np.float32) * sigma
    if arr.ndim == 3:
        n = n[:, :, None]
    return arr + n


_NOISE: dict[tuple[int, int, int, int], tuple[np.ndarray, np.ndarray]] = {}


def _noise_u8(arr: np.ndarray, rng: random.Random, sigma: int) -> np.ndarray:
    """Add luminance noise fast: a cached noise field (per sigma and page size), sliced at a random
    offset, added and subtracted with saturation (no float copies of the page)."""
    h, w = arr.shape[:2]
    ch = arr.shape[2] if arr.ndim == 3 else 1
    key = (sigma, ch, h, w)
    field_ = _NOISE.get(key)
    if field_ is None:
        g = np.random.default_rng(1000 + sigma)
        n = g.standard_normal((h + 48, w + 48), dtype=np.float32) * sigma
        pos = np.minimum(np.maximum(n, 0), 255).astype(np.uint8)
        neg = np.minimum(np.maximum(-n, 0), 255).astype(np.uint8)
        if ch == 3:
            pos, neg = cv2.merge([pos, pos, pos]), cv2.merge([neg, neg, neg])
        if len(_NOISE) > 12:
            _NOISE.clear()
        field_ = _NOISE[key] = (pos, neg)
    oy, ox = rng.randint(0, 48), rng.randint(0, 48)
    pos, neg = field_[0][oy:oy + h, ox:ox + w], field_[1][oy:oy + h, ox:ox + w]
    return cv2.subtract(cv2.add(arr, pos), neg)


def scan(img: Image.Image, profile: str, rng: random.Random, dpi: int = 200) -> ScanResult:
    """Simulate scanning (or photographing) one printed page."""
    if profile not in SCAN_PROFILES:
        raise ValueError(f"unknown scan profile {profile!r}; one of {SCAN_PROFILES}")
    np.random.default_rng(rng.getrandbits(64))
    src = np.asarray(img.convert("RGB"))
    h, w = src.shape[:2]
    params: dict = {}
    M = np.eye(3)

    if profile == "phone":
        # page on a desk, photographed at an angle: perspective + background + uneven light
        out_w, out_h = w, h
        scale = rng.uniform(0.80, 0.92)
        pw, ph = w * scale, h * scale
        ox, oy = (out_w - pw) / 2 + rng.uniform(-0.03, 0.03) * w, (out_h - ph) / 2 + rng.uniform(-0.03, 0.03) * h
        j = 0.045
        dst = np.float32([
            [ox + rng.uniform(-j, j) * w, oy + rng.uniform(-j, j) * h],
            [ox + pw + rng.uniform(-j, j) * w, oy + rng.uniform(-j, j) * h],
            [ox + pw + rng.uniform(-j, j) * w, oy + ph + rng.uniform(-j, j) * h],
            [ox + rng.uniform(-j, j) * w, oy + ph + rng.uniform(-j, j) * h],
        ])
        srcp = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        P = cv2.getPerspectiveTransform(srcp, dst)
        bg = rng.choice([(150, 112, 74), (96, 96, 100), (180, 170, 150), (60, 58, 62)])
        warped = cv2.warpPerspective(src, P, (out_w, out_h), flags=cv2.INTER_LINEAR,
                                     borderMode=cv2.BORDER_CONSTANT, borderValue=bg)
        M = P @ M
        arr = warped.astype(np.float32)
        # uneven light: a tilted plane + a soft shadow blob + vignette
        yy, xx = np.mgrid[0:out_h:8, 0:out_w:8].astype(np.float32)
        a = rng.uniform(0, 2 * math.pi)
        plane = 1 + rng.uniform(0.08, 0.25) * ((xx / out_w - 0.5) * math.cos(a) + (yy / out_h - 0.5) * math.sin(a))
        cxs, cys = rng.uniform(0, out_w), rng.uniform(0, out_h)
        shadow = 1 - rng.uniform(0.05, 0.25) * np.exp(-(((xx - cxs) / (0.35 * out_w)) ** 2 + ((yy - cys) / (0.35 * out_h)) ** 2))
        vign = 1 - 0.18 * (((xx / out_w - 0.5) ** 2 + (yy / out_h - 0.5) ** 2) * 2)
        light = cv2.resize((plane * shadow * vign).astype(np.float32), (out_w, out_h), interpolation=cv2.INTER_LINEAR)
        cast = np.array([1.0, rng.uniform(0.94, 0.99), rng.uniform(0.82, 0.93)], dtype=np.float32)
        arr = arr * light[:, :, None] * cast * rng.uniform(0.88, 0.98)
        arr = cv2.GaussianBlur(np.clip(arr, 0, 255).astype(np.uint8), (0, 0), rng.uniform(0.7, 1.3))
        arr = _noise_u8(arr, rng, rng.choice([3, 4, 5]))
        out = Image.fromarray(arr, "RGB")
        params.update(perspective=dst.round(1).tolist(), background=bg)
        return ScanResult(out, M.tolist(), profile, False, params)

    limit = 0.4 if profile == "clean" else 3.0
    angle = _skew_angle(rng, limit)
    tx, ty = rng.uniform(-0.006, 0.006) * w, rng.uniform(-0.006, 0.006) * h
    R = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    R[0, 2] += tx
    R[1, 2] += ty
    grey = profile in ("grey", "bw")
    if grey:  # a grey scanner never sees colour: work on one channel (3x cheaper)
        src = cv2.cvtColor(src, cv2.COLOR_RGB2GRAY)
    edge = 255 if profile == "clean" else 235
    arr = cv2.warpAffine(src, R, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=(edge, edge, edge) if not grey else edge)
    M = _affine3(R) @ M
    params.update(skew_deg=round(angle, 2))
    if profile == "clean":
        arr = cv2.GaussianBlur(arr, (0, 0), 0.5)
        arr = _noise_u8(arr, rng, 1)
    else:
        contrast = rng.uniform(0.85, 1.0)
        bright = rng.uniform(0.97, 1.0)
        # out = (in - 255) * contrast + 255 * bright
        arr = cv2.convertScaleAbs(arr, alpha=contrast, beta=255 * (bright - contrast))
        if not grey:
            tint = (1.0, rng.uniform(0.97, 1.0), rng.uniform(0.92, 0.99))
            arr = np.dstack([arr[:, :, 0], cv2.convertScaleAbs(arr[:, :, 1], alpha=tint[1]),
                           cv2.convertScaleAbs(arr[:, :, 2], alpha=tint[2])])
        arr = cv2.GaussianBlur(arr, (0, 0), rng.uniform(0.6, 1.0))
        arr = _noise_u8(arr, rng, rng.choice([2, 3, 4]))
        params.update(contrast=round(contrast, 3))
    if grey:
        if profile == "bw":
            thr = rng.randint(150, 185)
            arr = np.where(arr > thr, 255, 0).astype(np.uint8)
            params.update(threshold=thr)
        out = Image.fromarray(arr, "L")
    else:
        out = Image.fromarray(np.ascontiguousarray(arr), "RGB")
    upside = profile == "upside_down"
    if upside:
        out = out.transpose(Image.ROTATE_180)
        M = np.array([[-1, 0, w], [0, -1, h], [0, 0, 1]], dtype=np.float64) @ M
    return ScanResult(out, M.tolist(), profile, upside, params)


def degrade_unreadable(img: Image.Image, rng: random.Random) -> Image.Image:
    """A page nobody can read: heavy blur, washed out (bad scanner lamp or out-of-focus photo)."""
    arr = np.asarray(img).astype(np.float32)
    arr = cv2.GaussianBlur(arr, (0, 0), rng.uniform(7, 12))
    arr = 255 - (255 - arr) * rng.uniform(0.15, 0.3)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), img.mode)


def blank_page(size: tuple[int, int], rng: random.Random, mode: str = "RGB") -> Image.Image:
    """A scanned blank sheet (paper tone + faint noise)."""
    w, h = size
    g = np.random.default_rng(rng.getrandbits(64))
    base = np.full((h, w), rng.uniform(238, 250), dtype=np.float32) + g.standard_normal((h, w), dtype=np.float32) * 1.5
    base = np.clip(base, 0, 255).astype(np.uint8)
    img = Image.fromarray(base, "L")
    return img.convert(mode) if mode != "L" else img


def encode_jpeg(img: Image.Image, quality: int = 80) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, optimize=False, subsampling=2 if img.mode == "RGB" else 0)
    return buf.getvalue()


def images_to_pdf(images: list[Image.Image] | list[bytes], dpi: int = 150, quality: int = 80,
                  producer: str = "Scanner") -> bytes:
    """Wrap page images in a minimal PDF, one JPEG (DCTDecode) per page, page size from dpi.

    ``images`` may be PIL images (encoded here) or ready JPEG bytes.
    """
    jpegs: list[tuple[bytes, int, int, str]] = []
    for im in images:
        if isinstance(im, bytes | bytearray) and im[:2] != b"\xff\xd8":
            # not JPEG (a png page): every page image is declared DCTDecode below (seed 163's
            # re-sent PDF carried PNG data so, and its pages rendered blank)
            im = Image.open(io.BytesIO(im))
            im = im if im.mode in ("L", "RGB") else im.convert("RGB")
        if isinstance(im, bytes | bytearray):
            pim = Image.open(io.BytesIO(im))
            jpegs.append((bytes(im), pim.width, pim.height, "DeviceGray" if pim.mode == "L" else "DeviceRGB"))
        else:
            if im.mode not in ("L", "RGB"):
                im = im.convert("RGB")
            jpegs.append((encode_jpeg(im, quality), im.width, im.height, "DeviceGray" if im.mode == "L" else "DeviceRGB"))
    objs: list[bytes] = []
    n = len(jpegs)
    # object numbers: 1 catalog, 2 pages, then per page: page, image, content
    kids = " ".join(f"{3 + 3 * i} 0 R" for i in range(n))
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode())
    for i, (data, w, h, cs) in enumerate(jpegs):
        pw, ph = w * 72 / dpi, h * 72 / dpi
        _pno, ino, cno = 3 + 3 * i, 4 + 3 * i, 5 + 3 * i
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw:.2f} {ph:.2f}] "
                    f"/Resources << /XObject << /Im{i} {ino} 0 R >> >> /Contents {cno} 0 R >>".encode())
        objs.append(f"<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /{cs} "
                    f"/BitsPerComponent 8 /Filter /DCTDecode /Length {len(data)} >>\nstream\n".encode()
                    + data + b"\nendstream")
        content = f"q {pw:.2f} 0 0 {ph:.2f} 0 0 cm /Im{i} Do Q".encode()
        objs.append(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream")
    return pdf_from_objects(objs, f"<< /Producer ({producer}) >>".encode())


def pdf_from_objects(objs: list[bytes], info: bytes | None = None) -> bytes:
    """A PDF file of these object bodies, numbered from 1 (1 the catalog), with its xref table;
    `info` becomes the document information dictionary."""
    objs = [*objs, info] if info is not None else list(objs)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for k, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{k} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    info_ref = f" /Info {len(objs)} 0 R" if info is not None else ""
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R{info_ref} >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()
