"""Mailbox intake: pull mail from IMAP folders, Maildirs or .eml folders, archive every raw
message, find and classify every attached file, and hand usable scans to the reading stage.

Public API:
    run_intake(workspace, sources, on_attachments=None, limits=None, ...) -> IntakeReport
    parse_source("imaps://user@host:993/INBOX", ca_file=..., password_env=...) -> SourceSpec
    load_accounts(Path("accounts.toml")) -> {name: SourceSpec}
    message_listing(session) -> list[dict]   (what `kptj messages` shows)

Attachment.status is one of STATUSES; Attachment.archive_path and Message.archive_path are
relative to Workspace.archive_dir (`intake.archive.resolve(ws.archive_dir, path)`).
"""

from intake.limits import Limits
from intake.listing import message_listing
from intake.pipeline import IntakeReport, OnAttachments, run_intake
from intake.sources import SourceError, SourceSpec, load_accounts, parse_source

STATUSES = ("document", "duplicate", "unsupported", "corrupt", "encrypted", "empty", "too_large", "link")
MESSAGE_STATES = ("fetched", "archived", "extracted", "processed", "done", "error")
CLASSIFICATIONS = ("attachments", "auto_reply", "bounce", "no_attachment")

__all__ = ["CLASSIFICATIONS", "MESSAGE_STATES", "STATUSES", "IntakeReport", "Limits", "OnAttachments",
           "SourceError", "SourceSpec", "load_accounts", "message_listing", "parse_source", "run_intake"]
