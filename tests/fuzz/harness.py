"""Feed one input at a time through the real intake stage and check the invariants every input must
keep: no crash, every message and attachment ends with a recorded status, every stored file lies
inside the workspace, no file is written anywhere else and no temporary file is left behind."""

from __future__ import annotations

import itertools
import os
import tempfile
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from intake import MESSAGE_STATES, STATUSES, run_intake
from kptj.workspace import Workspace
from registry.models import Attachment, Message

FINAL_STATES = {"done", "error"}


class IntakeHarness:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.ws = Workspace(home=root / "ws")
        self.inbox = root / "inbox"
        self.tmp = root / "tmp"
        self.tmp.mkdir(parents=True)
        self._n = itertools.count()
        self.inputs = 0
        self.outcomes: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()   # why messages ended in `error` (recorded, but a lead)

    def feed(self, raw: bytes) -> list[Attachment]:
        """One mail through `run_intake` (folder source, no reading); returns its attachments."""
        self.inputs += 1
        folder = self.inbox / f"{next(self._n):06d}"
        folder.mkdir(parents=True)
        (folder / "mail.eml").write_bytes(raw)
        before = self._outside()
        saved_tmp, tempfile.tempdir = tempfile.tempdir, str(self.tmp)
        old_env = os.environ.get("TMPDIR")
        os.environ["TMPDIR"] = str(self.tmp)
        try:
            report = run_intake(self.ws, [str(folder)])
        finally:
            tempfile.tempdir = saved_tmp
            if old_env is None:
                os.environ.pop("TMPDIR", None)
            else:
                os.environ["TMPDIR"] = old_env
        assert report.ok, [s.error for s in report.sources]
        assert self._outside() == before, "a file was written outside the workspace"
        assert not list(self.tmp.iterdir()), f"temporary files left: {list(self.tmp.iterdir())}"
        return self._check(raw)

    def _outside(self) -> set[str]:
        return {str(p) for p in self.root.rglob("*")
                if not p.is_relative_to(self.ws.home) and not p.is_relative_to(self.inbox)}

    def _check(self, raw: bytes) -> list[Attachment]:
        import hashlib

        digest = hashlib.sha256(raw).hexdigest()
        archive = self.ws.archive_dir.resolve()
        with self.ws.session() as s:
            msgs = list(s.scalars(select(Message).where(Message.sha256 == digest)))
            assert msgs, "the mail was not recorded"
            atts: list[Attachment] = []
            for m in msgs:
                assert m.state in MESSAGE_STATES and m.state in FINAL_STATES, m.state
                if m.state == "error":
                    assert m.last_error, "an error without a reason"
                    self.errors[m.last_error[:160]] += 1
                assert m.archive_path and (archive / m.archive_path).resolve().is_relative_to(archive)
                for a in s.scalars(select(Attachment).where(Attachment.message_id == m.id)):
                    assert a.status in STATUSES, a.status
                    if a.archive_path:
                        p = (archive / a.archive_path).resolve()
                        assert p.is_relative_to(archive) and p.is_file(), a.archive_path
                    self.outcomes[a.status] += 1
                    atts.append(a)
                self.outcomes[f"message:{m.state}/{m.classification}"] += 1
            return atts
