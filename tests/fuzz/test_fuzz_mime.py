"""Fuzzing the mail side: mutated seed mails (tests/fuzz/corpus) through the MIME walker and through
the whole intake stage (tests/fuzz/harness.py has the invariants)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given

from intake import Limits
from intake.extract import extract
from tests.fuzz.harness import IntakeHarness
from tests.fuzz.mutate import corpus, mutated

SEEDS = corpus()
LIMITS = Limits()


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> IntakeHarness:
    h = IntakeHarness(tmp_path_factory.mktemp("fuzz-mime"))
    yield h
    print(f"\nFUZZ mime/intake: {h.inputs} inputs; outcomes {dict(h.outcomes)}; errors {dict(h.errors)}")


def test_the_corpus_is_there():
    assert len(SEEDS) >= 10


@given(mutated(SEEDS, max_steps=8))
def test_mime_walker_never_raises(raw: bytes):
    parsed = extract(raw, LIMITS)
    for f in parsed.found:
        assert f.status in ("document", "unsupported", "corrupt", "encrypted", "empty", "too_large", "link")
        assert f.name is None or ("/" not in f.name and "\x00" not in f.name), f.name


@given(mutated(SEEDS))
def test_intake_records_every_mutated_mail(harness: IntakeHarness, raw: bytes):
    harness.feed(raw)
    # a mail that can be stored can be walked: `error` means intake itself failed on it
    assert not harness.errors, dict(harness.errors)


def test_every_seed_goes_through_unchanged(harness: IntakeHarness):
    for raw in SEEDS:  # raw_8bit_date.eml: a failure the fuzzer found, kept as a regression seed
        assert harness.feed(raw) is not None
    assert not harness.errors, dict(harness.errors)


def test_seed_file_names_cannot_escape(harness: IntakeHarness, tmp_path: Path):
    raw = (b"From: a@b.cn\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n"
           b"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"../../../../x.pdf\"\r\n"
           b"\r\n%PDF-1.4 broken\r\n--B--\r\n")
    atts = harness.feed(raw)
    assert atts and all(".." not in (a.archive_path or "") for a in atts)
