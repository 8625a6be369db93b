"""The benchmark's scoring leaves out only the planted faults that no reader could see."""

from __future__ import annotations

from tests.bench.scoring import _truth_keys, unobservable


def _truth() -> dict:
    def doc(account: str, doc_id: int, pages: list[int], unreadable: tuple[int, ...] = ()) -> dict:
        return {"account": account, "doc_id": doc_id, "pages": pages, "unreadable_pages": list(unreadable)}
    messages = [
        {"file": "m1", "attachments": [{"expected_status": "document", "documents": [doc("a", 1, [2, 3])]}]},
        {"file": "m2", "attachments": [{"expected_status": "link", "documents": [doc("b", 2, [1, 2])]}]},
        # one form as page images: the pages it holds span its attachments
        {"file": "m3", "attachments": [{"expected_status": "document", "documents": [doc("c", 3, [1])]},
                                       {"expected_status": "document", "documents": [doc("c", 3, [2])]}]},
        # a page sent washed out: its page_missing is expected, not what was on it
        {"file": "m4", "attachments": [{"expected_status": "document", "documents": [doc("d", 4, [1, 2], (2,))]}]},
    ]
    faults = [
        {"account": "a", "kind": "page_blank", "page": 1, "message": "m1", "doc_id": 1},
        {"account": "a", "kind": "seal_missing", "page": 1, "message": "m1", "doc_id": 1},      # not held
        {"account": "a", "kind": "signature_missing", "page": 3, "role": "填表人", "message": "m1", "doc_id": 1},
        {"account": "b", "kind": "page_blank", "page": 2, "message": "m2", "doc_id": 2},        # a link
        {"account": "c", "kind": "seal_missing", "page": 2, "message": "m3", "doc_id": 3},
        {"account": "d", "kind": "page_blank", "page": 2, "detail": "unreadable", "message": "m4", "doc_id": 4},
        {"account": "d", "kind": "signature_missing", "page": 2, "role": "统计负责人", "message": "m4", "doc_id": 4},
    ]
    return {"messages": messages, "faults": faults}


def test_faults_on_a_page_not_sent_or_in_a_form_never_received_are_left_out() -> None:
    truth = _truth()
    hidden = [(f["account"], f["kind"], why) for f, why in unobservable(truth)]
    assert hidden == [("a", "seal_missing", "on a page the scan does not hold"), ("b", "page_blank", "form sent as link"),
                      ("d", "signature_missing", "on a page the scan holds blank or washed out")]
    keys = _truth_keys(truth, {})
    assert keys["seal_missing"] == {("c", 2)}
    assert keys["page_missing"] == {("a", 1), ("d", 2)}
    assert keys["signature_missing"] == {("a", "填表人")}
    assert keys["never_sent"] == {("b",)}
