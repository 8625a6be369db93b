"""Limits that turn hostile or oversized input into a recorded status instead of a crash."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_attachment_bytes: int = 100 * 1024 * 1024   # one file, before anything parses it
    max_image_pixels: int = 120_000_000              # ~A0 at 300 dpi; more is a mistake or a bomb
    max_pdf_pages: int = 200                         # a form is 3-10 pages; a whole book is a mistake
    min_image_side: int = 200                        # smaller images are logos/signatures, not scans
    max_archive_members: int = 500
    max_archive_total: int = 1024 * 1024 * 1024     # bytes unpacked per archive
    max_archive_ratio: float = 200.0                 # unpacked/packed; zip bombs are far above
    max_depth: int = 4                               # mail › zip › mail › file …
    archive_tool_timeout: float = 120.0
