"""Printing a world's documents to page images, and packing them into the files units send.

`render_doc` runs in worker processes (forkserver); `DocumentFiles` is the part of synth.world.World
that renders its documents and turns them into PDFs, page images and TIFFs. Its choices of producer
and file name draw from the world's own stream (`rng`), in the order the mails are composed.
"""

from __future__ import annotations

import io
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from multiprocessing import get_context
from pathlib import Path

from synth.mailbox import Attachment
from synth.scanner import images_to_pdf
from synth.units import Unit


@dataclass
class DocSpec:
    id: int
    unit: Unit
    values: dict[str, Decimal | None]     # as printed on paper
    layout: str                           # synth.form.LAYOUTS name, or synth.html_form.HTML_STYLES name
    dpi: int
    profile: str                          # base profile
    profiles: list[str]                   # per printed page
    print_time: datetime
    seed: int
    fmt: str = "pdf"                      # pdf | jpg | png | tiff
    quality: int = 75
    faults: dict = field(default_factory=dict)
    page_order: list[int] | None = None   # printed page numbers in file order
    seal_text: str = ""
    superseded: bool = False
    known: bool = True                    # unit in the roster
    pages_total: int = 0
    files: list[str] = field(default_factory=list)  # encoded page images, by printed page
    printer: str = "reportlab"            # reportlab | chromium
    drawn_layout: str = ""                # the reportlab layout drawn first (page draws use its page count)


def _worker_init() -> None:
    import cv2
    cv2.setNumThreads(1)


def render_doc(args: tuple[DocSpec, str]) -> tuple[int, int, list[str], list[dict]]:
    """Pool worker: render one document's printed pages to image files; returns truth per page."""
    from synth.pages import make_pages
    spec, workdir = args
    rng = random.Random(spec.seed)
    form = None
    if spec.printer == "chromium":
        from synth.html_form import render_form_html
        form = render_form_html(spec.unit, spec.values, style=spec.layout, print_time=spec.print_time)
    pages = make_pages(spec.unit, spec.values, rng, layout=spec.layout, print_time=spec.print_time,
                       dpi=spec.dpi, profile=spec.profiles, faults=spec.faults, seal_name=spec.seal_text,
                       form=form)
    files, truths = [], []
    for p in pages:
        p.truth["printer"] = spec.printer
        n = p.truth["page"]
        if spec.fmt == "png":
            path = os.path.join(workdir, f"d{spec.id:06d}_{n}.png")
            p.image.save(path, "PNG", optimize=False, compress_level=6)
        else:
            path = os.path.join(workdir, f"d{spec.id:06d}_{n}.jpg")
            img = p.image
            img.save(path, "JPEG", quality=spec.quality, subsampling=2 if img.mode == "RGB" else 0,
                     dpi=(spec.dpi, spec.dpi))
        files.append(path)
        truths.append(p.truth)
    return spec.id, len(pages), files, truths


def _jpeg(img, quality: int) -> bytes:  # noqa: ANN001 - a PIL image
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


class DocumentFiles:
    """Rendering and packaging, mixed into synth.world.World (which sets these attributes)."""

    rng: random.Random
    out: Path
    docs: list[DocSpec]
    workers: int
    chromium_share: float
    log: Callable[[str], None]
    page_truth: dict[int, list[dict]]

    # ---- render
    def render(self) -> None:
        work = self.out / ".work"
        work.mkdir(parents=True, exist_ok=True)
        jobs = [(d, str(work)) for d in self.docs]
        by_id = {d.id: d for d in self.docs}
        self.page_truth: dict[int, list[dict]] = {}
        t0 = time.time()
        done: set[int] = set()
        if self.workers > 1 and len(jobs) > 4:
            if self.chromium_share:   # the workers start their own browsers: free the planner's
                from synth.chromium import close_browser
                close_browser()
            self._render_pool(jobs, by_id, done, t0)
        for j in jobs:   # serial, or what a broken pool left undone
            if j[0].id not in done:
                did, m, files, truths = render_doc(j)
                self._got(by_id[did], m, files, truths)

    def _render_pool(self, jobs, by_id, done: set[int], t0: float) -> None:
        """Render in worker processes.  forkserver, not fork: forking a process whose threads
        (OpenCV, pdfium, a test runner) hold locks can deadlock the children.  A pool that breaks
        raises (ProcessPoolExecutor) instead of hanging, and the rest is rendered serially."""
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool
        ctx = get_context("forkserver")
        ctx.set_forkserver_preload(["synth.packaging", "synth.pages"])
        # a __main__ read from stdin has __file__ "<stdin>": the children would try to run it
        main = sys.modules.get("__main__")
        main_file = getattr(main, "__file__", None)
        hide = bool(main_file) and not os.path.isfile(str(main_file))
        if hide:
            del main.__file__
        try:
            with ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_worker_init) as ex:
                for k, (did, m, files, truths) in enumerate(ex.map(render_doc, jobs, chunksize=2)):
                    self._got(by_id[did], m, files, truths)
                    done.add(did)
                    if (k + 1) % 200 == 0:
                        self.log(f"  已渲染 {k + 1}/{len(jobs)} 份扫描件（{time.time() - t0:.0f} 秒）")
        except (BrokenProcessPool, OSError) as e:
            self.log(f"  并行渲染失败（{e}），改为单进程继续")
        finally:
            if hide:
                main.__file__ = main_file

    def _got(self, d: DocSpec, m: int, files: list[str], truths: list[dict]) -> None:
        d.files = files
        if m != d.pages_total:  # the cached page count is per layout; trust the renderer
            d.pages_total = m
            d.page_order = [p for p in (d.page_order or []) if p <= m] or list(range(1, m + 1))
        self.page_truth[d.id] = truths

    # ---- packaging helpers
    def doc_truth(self, d: DocSpec, first_page: int = 1) -> dict:
        prof = d.profile
        if "upside_down" in d.profiles and d.profile != "upside_down":
            prof = f"{d.profile}+upside_down" if len(set(d.profiles)) > 1 else "upside_down"
        return {"account": d.unit.account if d.known else None, "unit_name": d.unit.name, "uscc": d.unit.uscc,
                "pages": list(d.page_order or []), "pages_total": d.pages_total, "first_page": first_page,
                "profile": prof, "page_profiles": [d.profiles[p - 1] for p in d.page_order or []],
                "print_time": f"{d.print_time:%Y-%m-%d %H:%M}", "layout": d.layout, "printer": d.printer,
                "dpi": d.dpi,
                "doc_id": d.id, "superseded": d.superseded, "format": d.fmt,
                "blank_pages": d.faults.get("blank_pages", []), "unreadable_pages": d.faults.get("unreadable_pages", []),
                "no_seal_pages": d.faults.get("no_seal_pages", []),
                "missing_signatures": d.faults.get("missing_signatures", []), "seal_text": d.seal_text}

    def page_bytes(self, d: DocSpec) -> list[bytes]:
        return [Path(d.files[p - 1]).read_bytes() for p in d.page_order or []]

    def pdf_of(self, docs: list[DocSpec]) -> tuple[bytes, list[dict]]:
        pages: list[bytes] = []
        truth = []
        for d in docs:
            truth.append(self.doc_truth(d, len(pages) + 1))
            pb = self.page_bytes(d)
            if d.fmt == "png":  # png pages inside a PDF: re-encode as JPEG
                from PIL import Image
                pb = [_jpeg(Image.open(io.BytesIO(b)), d.quality) for b in pb]
            pages += pb
        producer = self.rng.choice(["Canon iR-ADV C5535", "RICOH MP C3004", "HP Scan", "Scanner", "CamScanner",
                                    "KONICA MINOLTA bizhub C368", "Microsoft: Print To PDF"])
        dpi = docs[0].dpi if docs else 150
        return images_to_pdf(pages, dpi=dpi, producer=producer), truth

    def files_for(self, d: DocSpec, style: str) -> list[Attachment]:
        """Attachments carrying one document (pdf, or one image per page, or a multi-page TIFF)."""
        rng = self.rng
        fname = self.doc_filename(d)
        if d.fmt == "pdf" or style == "pdf":
            data, truth = self.pdf_of([d])
            return [Attachment(fname + ".pdf", data, "application/pdf", truth=[{"documents": truth}])]
        pb = self.page_bytes(d)
        if d.fmt == "tiff":
            from PIL import Image
            ims = [Image.open(io.BytesIO(b)) for b in pb]
            buf = io.BytesIO()
            ims[0].save(buf, "TIFF", save_all=True, append_images=ims[1:], compression="jpeg",
                        dpi=(d.dpi, d.dpi))
            return [Attachment(fname + ".tif", buf.getvalue(), "image/tiff",
                               truth=[{"documents": [self.doc_truth(d)]}])]
        out = []
        ext, ctype = ("png", "image/png") if d.fmt == "png" else ("jpg", "image/jpeg")
        base = rng.choice(["IMG_2025062", "mmexport17", "微信图片_202506", fname])
        shown: set[int] = set()
        for i, (p, b) in enumerate(zip(d.page_order or [], pb, strict=True), 1):
            if p in shown:   # a page photographed twice is two different files
                from PIL import Image
                b = _jpeg(Image.open(io.BytesIO(b)), max(30, d.quality - 7))
            shown.add(p)
            dt = self.doc_truth(d)
            dt["pages"] = [p]
            dt["page_profiles"] = [d.profiles[p - 1]]
            name = f"{fname}-{i}.{ext}" if base == fname else f"{base}{rng.randint(10000, 99999)}_{i}.{ext}"
            out.append(Attachment(name, b, ctype, truth=[{"documents": [dt]}]))
        return out

    def doc_filename(self, d: DocSpec) -> str:
        rng = self.rng
        u = d.unit
        r = rng.random()
        if r < 0.45:
            return u.name
        if r < 0.7:
            return f"{u.name}-2024年度科普统计调查表"
        if r < 0.8:
            return f"{u.name}（盖章版）"
        if r < 0.88:
            return f"扫描全能王 2025-06-{d.print_time.day:02d} {rng.randint(8, 18):02d}.{rng.randint(0, 59):02d}"
        if r < 0.94:
            return f"scan{rng.randint(1, 9999):04d}"
        return f"2024科普统计-{u.name[-8:]}"
