"""The acceptance policy: which documents pass with no human look, and why (pure logic)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from matching import policy
from matching.evaluate import DocFinding, FigureDecision
from ocr.model import DocumentReading, FigureReading, PageIdentity, PageReading
from ocr.seal import SealResult
from registry.template import TemplateError, default_template, parse_template

TEMPLATE = default_template()
POLICY = policy.Policy.of(TEMPLATE)
CHANGED = datetime(2025, 6, 10, 9, 0)


def _doc(print_time: str = "2025-06-18 09:30", seal_box: tuple[int, int, int, int] | None = (100, 100, 200, 200)) -> DocumentReading:
    seal = SealResult("present", 0.9, seal_box, "有印章", "colour")
    page = PageReading(source="f.pdf", index=0, rotation=0, skew=0.0, method="ocr", identity=PageIdentity(), seal=seal)
    return DocumentReading("单位", None, 1, print_time, [page])


def _unreadable(code: str, online: str | None, text: str, value: str | None, box=(500, 500, 560, 530),
                conf: float = 0.4, engine: str = "rapidocr", second: str | None = None) -> tuple[DocFinding, FigureDecision]:
    fig = FigureReading(code, text, value, conf, box, engine, doubts=("mapped",), second_opinion=second)
    return (DocFinding("figure_unreadable", "warning", code, online, value, 0, list(box), {"reason": "?"}),
            FigureDecision(code, "unreadable", "?", online, fig, 0))


def _decide(pairs, doc=None, extra=(), modified=CHANGED) -> tuple[policy.Acceptance, list[DocFinding]]:
    found = [f for f, _ in pairs] + list(extra)
    acc = policy.decide_document(POLICY, doc or _doc(), found, [d for _, d in pairs], modified)
    policy.apply(acc, found)
    return acc, found


def test_a_clean_form_printed_after_the_last_change_is_accepted() -> None:
    acc, _ = _decide([])
    assert acc.accepted and acc.weight == 0


def test_weak_matches_pass_and_stay_listed_as_info_with_the_rule() -> None:
    acc, found = _decide([_unreadable("P01", "12", "12", "12"), _unreadable("P02", "3", "3", "3")])
    assert acc.accepted
    assert {f.severity for f in found} == {"info"}
    assert all(f.detail["accepted_by"] == "acceptance-policy" and f.detail["policy"]["why"] == "weak_match"
               for f in found)


def test_a_reading_that_disagrees_with_the_record_always_goes_to_a_person() -> None:
    for pair in (_unreadable("P01", "12", "17", "17", conf=0.8),  # another figure, read with some confidence
                 _unreadable("P01", "12", "-", None, conf=0.4)):   # a dash against a number online
        acc, found = _decide([pair])
        assert not acc.accepted and found[0].severity == "warning"
        assert acc.unverified[0]["why"] == "reads_other" and acc.unverified[0]["weight"] is None


def test_what_a_reading_still_says_decides_its_kind() -> None:
    def why(*args, **kw) -> str:  # noqa: ANN002, ANN003
        return policy.why_unverified(_unreadable(*args, **kw)[1])
    assert why("P01", "12", "17", "17", conf=0.3) == "guess"           # seal strokes read as a digit
    assert why("P01", "12", "-", None, engine="rapidocr+ink-shape+off-row-middle") == "nothing_read"
    assert why("P01", "12", "7", "7", conf=0.3, second="12") == "weak_match"  # the second engine reads the record
    assert why("P01", None, "-", None) == "weak_match"
    assert why("P01", "12", "", None) == "nothing_read"
    assert why("P01", "1691", "医71691", "71691", conf=0.83) == "garbled"  # seal text in the cell
    assert why("P01", "11", "H1", "1", conf=0.61) == "garbled"            # a letter read for a digit
    assert why("P01", "1691", "71691", "71691", conf=0.83) == "reads_other"  # a clean other figure blocks


def test_a_digit_read_only_from_a_sealed_cell_of_an_empty_row_is_the_seals_lettering() -> None:
    under = (150, 150, 190, 170)
    def weigh(online: str | None, engine: str = "rapidocr+cell", box=under, seal_box=(100, 100, 200, 200)):  # noqa: ANN001, ANN202
        return policy.weigh(POLICY, _doc(seal_box=seal_box), _unreadable("S06", online, "1", "1", box=box, conf=0.8, engine=engine)[1])
    why, w, seal, empty = weigh(None)
    assert (why, seal, empty) == ("seal_lettering", True, True) and w < POLICY.max_weight
    acc, found = _decide([_unreadable("S06", None, "1", "1", box=under, conf=0.8, engine="rapidocr+cell")])
    assert acc.accepted and found[0].severity == "info"
    # each condition is needed: a number online, no seal over it, or a detected text line blocks
    assert weigh("4")[0] == "reads_other"
    assert weigh(None, box=(500, 500, 560, 530))[0] == "reads_other"
    assert weigh(None, engine="rapidocr")[0] == "reads_other"
    assert weigh(None, seal_box=None)[0] == "reads_other"


def test_an_empty_cell_weighs_less_under_the_seal_and_in_a_row_empty_online() -> None:
    plain = policy.weigh(POLICY, _doc(seal_box=None), _unreadable("P01", "12", "", None)[1])
    sealed = policy.weigh(POLICY, _doc(), _unreadable("P01", "12", "", None, box=(150, 150, 190, 170))[1])
    empty = policy.weigh(POLICY, _doc(seal_box=None), _unreadable("P01", None, "", None)[1])
    assert plain[0] == sealed[0] == empty[0] == "nothing_read"
    assert sealed[1] < plain[1] and empty[1] < plain[1] and sealed[2] and not plain[2]
    assert empty[3] and not plain[3]


def test_too_many_unverified_figures_go_to_a_person() -> None:
    pairs = [_unreadable(f"P{k:02d}", "12", "", None) for k in range(1, 8)]
    acc, found = _decide(pairs, doc=_doc(seal_box=None))
    assert not acc.accepted and acc.weight > POLICY.max_weight
    assert {f.severity for f in found} == {"warning"}


def test_a_stale_print_or_an_unread_print_time_is_never_accepted() -> None:
    assert not _decide([], modified=datetime(2025, 6, 20))[0].accepted
    assert not _decide([], doc=_doc(print_time=None))[0].accepted


def test_any_error_or_other_warning_blocks_acceptance() -> None:
    for kind, sev in (("seal_missing", "error"), ("figure_mismatch", "error"), ("signature_missing", "warning"),
                      ("seal_missing", "warning")):
        acc, _ = _decide([_unreadable("P01", "12", "12", "12")], extra=[DocFinding(kind, sev)])
        assert not acc.accepted, kind


def test_a_disabled_policy_accepts_nothing() -> None:
    acc = policy.decide_document(replace(POLICY, enabled=False), _doc(), [], [], CHANGED)
    assert not acc.accepted


def test_the_weight_ladder_orders_risks_as_documented() -> None:
    w = POLICY.weights
    assert w["weak_match"] < w["nothing_read"] <= w["no_row"] < w["reads_other"] == policy.BLOCK
    assert w["weak_match"] < w["guess"] < w["reads_other"]
    assert w["weak_match"] < w["garbled"] < w["reads_other"]
    assert w["weak_match"] < w["seal_lettering"] < w["reads_other"]
    assert 0 < POLICY.under_seal_factor <= 1 and 0 < POLICY.online_empty_factor <= 1


def test_a_broken_acceptance_section_is_rejected_at_load() -> None:
    from importlib import resources

    import yaml
    data = yaml.safe_load((resources.files("registry") / "templates" / "kp-2024.yaml").read_text(encoding="utf-8"))
    data["acceptance"]["weights"].pop("no_row")
    with pytest.raises(TemplateError, match="weights"):
        parse_template(data)
    data["acceptance"]["weights"]["no_row"] = -1
    with pytest.raises(TemplateError, match="no_row"):
        parse_template(data)
