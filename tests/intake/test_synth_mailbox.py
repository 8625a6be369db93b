"""The synthetic mailbox gives the same attachments and statuses from a folder and from Dovecot,
and they are the statuses the generator's ground truth expects."""

from __future__ import annotations

import json
from pathlib import Path

from intake import message_listing, parse_source, run_intake
from intake.extract import parse
from kptj.workspace import Workspace
from tests.intake.conftest import imaps_source
from tests.servers.dovecot import Dovecot

CLASS_OF_KIND = {"auto_reply": "auto_reply", "bounce": "bounce", "unrelated": "no_attachment",
                 "link": "no_attachment"}


def by_message_id(ws: Workspace) -> dict[str, dict]:
    with ws.session() as s:
        listing = message_listing(s)
    out = {}
    for m in listing:
        mid = parse((ws.archive_dir / m["archive_path"]).read_bytes()).get("Message-ID", "").strip()
        out[mid] = m
    return out


def files(m: dict) -> list[tuple[str | None, str]]:
    return sorted((a["sha256"], a["status"]) for a in m["attachments"])


def test_synthetic_mailbox_from_folder_and_dovecot_matches_ground_truth(
        synth_world: Path, dovecot: Dovecot, mailbox_user: str, tmp_path: Path) -> None:
    truth = json.loads((synth_world / "truth.json").read_text(encoding="utf-8"))
    mails = sorted((synth_world / "mail").glob("*.eml"))
    assert len(mails) == len(truth["messages"]) > 10

    local = Workspace(home=tmp_path / "from-folder")
    assert run_intake(local, [str(synth_world / "mail")]).ok
    for path in mails:  # same order as the folder source reads them
        dovecot.deliver(mailbox_user, path.read_bytes())
    remote = Workspace(home=tmp_path / "from-imap")
    assert run_intake(remote, [parse_source(imaps_source(dovecot, mailbox_user), ca_file=dovecot.ca_cert)]).ok

    from_folder, from_imap = by_message_id(local), by_message_id(remote)
    assert from_folder.keys() == from_imap.keys() == {t["message_id"] for t in truth["messages"]}
    for t in truth["messages"]:
        a, b = from_folder[t["message_id"]], from_imap[t["message_id"]]
        assert [(x["name"], x["status"], x["sha256"], x["from"]) for x in a["attachments"]] == \
               [(x["name"], x["status"], x["sha256"], x["from"]) for x in b["attachments"]], t["file"]
        assert (a["subject"], a["sender"], a["classification"]) == (b["subject"], b["sender"], b["classification"])
        expected = sorted((x.get("sha256"), x["expected_status"]) for x in t["attachments"])
        assert files(a) == expected, (t["file"], t["shape"])
        assert a["subject"] == t["subject"], (t["file"], t["shape"])
        if t["kind"] in CLASS_OF_KIND:
            assert a["classification"] == CLASS_OF_KIND[t["kind"]], (t["file"], t["kind"])
        assert not [w for w in a["decode_warnings"] if "U+FFFD" in w], t["file"]
