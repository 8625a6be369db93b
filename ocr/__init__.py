"""Reading scans of 《2024年度科普统计调查表》: page images, unit identity, figures, evidence.

Public API
----------
read_file(path, template=None, *, crops_dir=None, workers=2, second_opinion=True) -> list[DocumentReading]
    One PDF (scanned, merged or born-digital) or image file (JPG/PNG/TIFF, multi-page TIFF) ->
    per-unit documents. Pages run in a process pool (`workers`), models loaded once per worker.
    With `crops_dir`, the normalised page (JPEG) and one crop per figure are written there
    (e.g. `Workspace.pages_dir`) and referenced from the readings.
read_files(paths, ...) -> list[DocumentReading]
    Several files whose pages belong together (one image per page), grouped by page identity.
read_pages(paths, ...) -> list[PageReading]
    The same without grouping.
decide(figure: FigureReading | None, online: str | None, decimals: int) -> Decision
    matches / differs / unreadable for one figure against its online value (reason in Chinese).
    "matches" needs equality and confidence >= 0.5 with no contradicting second engine;
    "differs" needs a clean, confident reading (>= 0.95, or both engines agreeing), and a lone
    look-alike digit swap (3/8, 1/7 ...) read below 0.99 stays "unreadable". A reading's
    `doubts` say why it is not clean; a few are shown moot for the figure at hand (ocr.decide).
ocr.store.store_document(session, doc, *, attachment_id, document_id=None, online=None, template=None)
    Page + Reading rows for a document (decisions filled when `online` is given).
ocr.split.group_pages(pages) -> list[DocumentReading]
    Grouping by printed identity (name AND code; venues share their owner's code).

Command line: `kptj read FILE... [--format json] [--workers N] [--crops]`.

Data (ocr.model): DocumentReading(unit_name, uscc, page_total, print_time, pages, missing_pages,
repeated_pages, problems, .figures) ; PageReading(source, index, rotation, skew, method,
identity: PageIdentity(title, unit_name, uscc, uscc_text, page_no, page_total, print_time),
figures: {code: FigureReading(code, text, value, confidence, box, engine, doubts,
second_opinion, agreed, crop_path, found_by)}, is_signature_page, image_path, size, seal,
signatures, problems, lines). Boxes are (x0, y0, x1, y1) pixels of the normalised page image
(after perspective/rotation/deskew), the same frame as `image_path`. value None = printed "-".

Stages (one module each, image/lines in -> result out): sources (page images: embedded image
as-is, else pdfium render; trustworthy text layer via textlayer), normalise (page quad,
quarter/half turns, deskew, red-channel OCR copy), engines.rapid / engines.tess (thin engine
wrappers with name+version), identity, figures (+cells for dash/blank ink), page (one page end
to end), split (documents, missing/repeated/foreign pages), evidence (crops), reader (pool),
decide, store (DB persistence into registry.models.Page/Reading).

The seal slot is filled by ocr.seal.detect_seal(original_bgr, unit name and lines read on the
page), the signatures by ocr.signature.detect_signatures(original_bgr, ocr_lines).
"""

from ocr.decide import decide
from ocr.model import Decision, DocumentReading, FigureReading, OcrLine, PageIdentity, PageReading
from ocr.reader import read_file, read_files, read_pages

__all__ = ["Decision", "DocumentReading", "FigureReading", "OcrLine", "PageIdentity", "PageReading",
           "decide", "read_file", "read_files", "read_pages"]
