"""OCR engines, each behind a thin wrapper that reports its name and version."""
