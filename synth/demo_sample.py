"""The demo's mailbox: a sample of a generated world's mail that reads in about a minute.

The generator needs 50 units; reading all their mail (about 185 pages) takes minutes on two
cores. The sample keeps every message that carries no form page (auto-replies, bounces, links,
corrupt and empty files: all cheap and all shown) and the scan mails, in order, while their pages
fit the budget. Units whose mail is left out are simply not received yet.
"""

from __future__ import annotations

import shutil
from pathlib import Path


def message_pages(message: dict) -> int:
    """Form pages the reader will see in a message (attachments intake will read)."""
    return sum(len(d["pages"]) for a in message["attachments"] if a["expected_status"] == "document"
               for d in a["documents"])


def pick(truth: dict, budget: int) -> list[dict]:
    """Messages in file order; budget 0 or less keeps them all."""
    if budget <= 0:
        return list(truth["messages"])
    left, kept = budget, []
    for m in truth["messages"]:
        n = message_pages(m)
        if n <= left:
            kept.append(m)
            left -= n
    return kept


def write_sample(truth: dict, world: Path, dest: Path, budget: int) -> tuple[int, int]:
    """Copy the picked .eml files into dest (emptied first); returns (messages, pages)."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    kept = pick(truth, budget)
    for m in kept:
        shutil.copy(world / m["file"], dest / Path(m["file"]).name)
    return len(kept), sum(message_pages(m) for m in kept)
