from matching.identify import Candidate, UnitIndex
from matching.names import name_score, normalize_name
from registry import uscc

OWNER = uscc.make_code("1", "2", "120101", "00000005")
UNITS = [
    Candidate(1, "hp_kjj", "天津市和平区科学技术局", uscc.make_code("1", "1", "120101", "00000001")),
    Candidate(2, "hp_wlj", "天津市和平区文化和旅游局", OWNER),
    Candidate(3, "hp_wlj_kjg", "和平区青少年科技馆", OWNER),
    Candidate(4, "hd_wlj", "天津市河东区文化和旅游局", uscc.make_code("1", "2", "120102", "00000009")),
    Candidate(5, "school", "天津市和平区第一中学", uscc.make_code("1", "2", "120101", "00000003")),
]
IDX = UnitIndex(UNITS)


def test_names_normalise_width_brackets_and_long_forms():
    assert normalize_name("天津市 和平区（科学技术局）") == "和平区科技局"
    assert normalize_name("ＡＢＣ科技局") == "ABC科技局"
    assert name_score("天津市和平区科学技术局", "和平区科技局") == 100.0


def test_code_and_name_identify_a_unit():
    r = IDX.identify("天津市和平区科学技术局", UNITS[0].uscc)
    assert (r.unit_id, r.method) == (1, "code+name")


def test_venue_and_owner_sharing_a_code_are_told_apart_by_name():
    assert IDX.identify("和平区青少年科技馆", OWNER).unit_id == 3
    assert IDX.identify("天津市和平区文化和旅游局", OWNER).unit_id == 2
    r = IDX.identify(None, OWNER)
    assert r.unit_id is None and "多个单位共用此代码" in r.explanation["reason"]


def test_venue_named_after_its_owner_is_told_apart_from_the_owner():
    code = uscc.make_code("1", "1", "120111", "69043037")
    idx = UnitIndex([Candidate(1, "xq_xcb", "中共天津市西青区委宣传部", code),
                     Candidate(2, "xq_xcb_kp", "中共天津市西青区委宣传部科普体验馆", code)])
    assert idx.identify("中共天津市西青区委宣传部", code).unit_id == 1
    assert idx.identify("中共天津市西青区委宣传部科普体验馆", code).unit_id == 2
    # a truncated venue name is close to both: a human decides
    assert idx.identify("中共天津市西青区委宣传部科普体", code).unit_id is None


def test_ocr_confused_code_is_repaired_by_check_character():
    read = UNITS[4].uscc.replace("0", "O")
    r = IDX.identify("天津市和平区第一中学", read)
    assert r.unit_id == 5 and r.explanation["code_repaired_from"] == read


def test_name_alone_needs_a_clear_winner():
    assert IDX.identify("天津市和平区第一中学", None).unit_id == 5
    # 和平区 vs 河东区 culture bureaus differ by two characters: not a clear enough winner alone
    r = IDX.identify("天津市河平区文化和旅游局", None)
    assert r.unit_id is None and r.method == "unknown"


def test_form_of_a_unit_not_in_the_roster_is_unknown():
    foreign = uscc.make_code("1", "2", "120105", "00000777")
    assert IDX.identify("天津市红桥区某某中学", foreign).unit_id is None
    assert IDX.identify("天津市和平区科学技术局", foreign).unit_id is None  # valid foreign code contradicts name


def test_unique_code_with_a_very_different_name_is_not_trusted():
    r = IDX.identify("北京市朝阳区某公司", UNITS[0].uscc)
    assert r.unit_id is None and "名称差异过大" in r.explanation["reason"]


def test_code_read_with_two_slips_names_its_holder_only_when_the_name_agrees():
    true = UNITS[4].uscc
    # one digit misread, and the check character with it: a valid code nobody holds
    body = true[:12] + ("7" if true[12] != "7" else "2") + true[13:17]
    slipped = body + uscc.check_char(body)
    assert uscc.is_valid(slipped) and sum(a != b for a, b in zip(slipped, true, strict=True)) == 2
    r = IDX.identify("天津市和平区第一中学", slipped)
    assert (r.unit_id, r.method) == (5, "near-code+name") and r.explanation["near_code_candidates"][0]["uscc"] == true
    # another unit's name, or none: the valid code nobody holds leaves it to a person
    assert IDX.identify("天津市河东区文化和旅游局", slipped).unit_id is None
    assert IDX.identify(None, slipped).unit_id is None
    # three slips are too many to call it the same code
    body3 = body[:15] + ("8" if body[15] != "8" else "3") + body[16:]
    assert IDX.identify("天津市和平区第一中学", body3 + uscc.check_char(body3)).unit_id is None
