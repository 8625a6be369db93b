"""The world's mails written as .eml files, and the truth about them (truth.json; WORLD.md §5)."""

from __future__ import annotations

import random
import shutil
from collections import Counter
from typing import TYPE_CHECKING

from synth.mailbox import COLLECT_ADDR, all_attachments, sha256, to_bytes

if TYPE_CHECKING:
    from synth.world import World


def finalize(w: World) -> dict:
    """Order mails, serialize .eml files, compute statuses and duplicates, assemble truth."""
    rng = random.Random(w.seed * 7919 + 9)
    mail_dir = w.out / "mail"
    if mail_dir.exists():
        shutil.rmtree(mail_dir)
    mail_dir.mkdir(parents=True)
    w.mails.sort(key=lambda m: (m.date, m.subject))
    seen: dict[str, str] = {}
    first_msg: dict[int, str] = {}
    any_msg: dict[int, str] = {}
    messages = []
    faults = [dict(f) for f in w.faults]
    total_bytes = 0
    for i, m in enumerate(w.mails, 1):
        file = f"mail/{i:04d}.eml"
        dom = m.sender_addr.split("@")[-1] or "localhost"
        for mm in (m, m.forwarded):
            if mm is not None and not mm.message_id:
                mm.message_id = f"<{rng.getrandbits(64):016x}.{i}@{dom}>"
        entries = []
        for fwd, att in [(False, a) for a in m.attachments] + [(True, a) for a in (all_attachments(m.forwarded) if m.forwarded else [])]:
            for t in att.truth:
                data_sha = t.get("sha256") or sha256(att.data)
                status = t.get("status")
                if status is None:
                    if len(att.data) == 0:
                        status = "empty"
                    elif data_sha in seen:
                        status = "duplicate"
                    else:
                        status = "document"
                        seen[data_sha] = file
                e = {"name": att.name, "sha256": data_sha, "size": t.get("size", len(att.data)),
                     "content_type": att.ctype, "expected_status": status, "container": t.get("container"),
                     "forwarded": fwd, "documents": t.get("documents", [])}
                if "zip_utf8_flag" in t:
                    e["zip_utf8_flag"] = t["zip_utf8_flag"]
                if t.get("container"):
                    e["container_sha256"] = sha256(att.data)
                entries.append(e)
                for doc in e["documents"]:
                    any_msg.setdefault(doc["doc_id"], file)
                    if status == "document":
                        first_msg.setdefault(doc["doc_id"], file)
                    if status == "duplicate":
                        faults.append({"account": doc["account"], "kind": "duplicate", "indicator": None,
                                       "online": None, "paper": None, "page": None, "message": file,
                                       "doc_id": doc["doc_id"], "detail": f"与 {seen[data_sha]} 中的文件相同"})
        if m.link_attachment:
            la = m.link_attachment
            entries.append({"name": la["name"], "sha256": None, "size": None, "content_type": None,
                            "expected_status": "link", "container": None, "forwarded": False, "url": la["url"],
                            "documents": [d for t in la["truth"] for d in t.get("documents", [])]})
            for t in la["truth"]:
                for doc in t.get("documents", []):
                    any_msg.setdefault(doc["doc_id"], file)
        data = to_bytes(m)
        (w.out / file).write_bytes(data)
        total_bytes += len(data)
        messages.append({"file": file, "message_id": m.message_id, "sender": m.sender_addr,
                         "sender_name": m.sender_name, "subject": m.subject, "date": m.date.strftime("%Y-%m-%d %H:%M:%S"),
                         "kind": m.kind, "shape": m.shape or m.kind,
                         "encoding": {"subject": m.subject_style, "body": m.body_charset},
                         "forwarded_message_id": m.forwarded.message_id if m.forwarded else None,
                         "attachments": entries})
    # document faults
    for d in w.docs:
        for f in getattr(d, "doc_faults", []):
            g = dict(f)
            g["message"] = first_msg.get(d.id) or any_msg.get(d.id)
            g["superseded"] = d.superseded
            faults.append(g)
    for acc, docs in w.unit_docs.items():
        for a, b in zip(docs, docs[1:], strict=False):
            if a.superseded:
                faults.append({"account": acc, "kind": "superseded", "indicator": None, "online": None, "paper": None,
                               "page": None, "message": first_msg.get(a.id) or any_msg.get(a.id), "doc_id": a.id,
                               "replaced_by": b.id, "replaced_in": first_msg.get(b.id) or any_msg.get(b.id),
                               "detail": "更正后重新报送，以新件为准", "superseded": True})
    for d in w.unknown_docs:
        faults.append({"account": None, "kind": "unit_unknown", "indicator": None, "online": None, "paper": None,
                       "page": None, "message": first_msg.get(d.id) or any_msg.get(d.id), "doc_id": d.id,
                       "unit_name": d.unit.name, "uscc": d.unit.uscc, "detail": f"名单中没有：{d.unit.name} {d.unit.uscc}"})
    for acc in sorted(w.never):
        faults.append({"account": acc, "kind": "never_sent", "indicator": None, "online": None, "paper": None,
                       "page": None, "message": None, "detail": w.rec[acc].status})
    for f in faults:
        for k in ("account", "kind", "indicator", "online", "paper", "page", "message", "detail"):
            f.setdefault(k, None)
    delivered = set(first_msg)
    not_received = sorted(acc for acc, docs in w.unit_docs.items() if docs[-1].id not in delivered)
    kinds: dict[str, int] = {}
    for f in faults:
        kinds[f["kind"]] = kinds.get(f["kind"], 0) + 1
    shapes: dict[str, int] = {}
    for m in messages:
        shapes[m["shape"]] = shapes.get(m["shape"], 0) + 1
    return {
        "seed": w.seed, "units": w.n, "template": w.t.id, "collect_address": COLLECT_ADDR,
        "generated_by": "kptj synth", "messages": messages, "faults": faults,
        "never_sent": sorted(w.never), "not_received": not_received,
        "venue_owners": {u.account: u.owner_account for u in w.units if u.is_venue},
        "expected_accounts": [u.account for u in w.units],
        "stats": {"messages": len(messages), "documents": len(w.docs), "mail_bytes": total_bytes,
                  "printers": w.printers, "printed_by": dict(Counter(d.printer for d in w.docs)),
                  "scan_mix": "lite" if w.lite else "full",
                  "pages_rendered": sum(d.pages_total for d in w.docs), "fault_kinds": kinds, "shapes": shapes,
                  "timings_s": w.timings},
    }
