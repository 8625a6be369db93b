from registry import uscc

# Published codes of well-known organisations (business licences are public records).
REAL_CODES = [
    "914403001922038216",  # 华为技术有限公司
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "91330100716105852F",  # 阿里巴巴（中国）有限公司
    "91110108551385082Q",  # 北京小米科技有限责任公司
    "91110000802100433B",  # 北京百度网讯科技有限公司
    "12100000400000624D",  # a central public institution (12 = 事业单位)
]


def test_real_public_codes_are_valid():
    for c in REAL_CODES:
        assert uscc.validate(c) is None, c


def test_changed_check_character_is_rejected_with_the_expected_one():
    bad = REAL_CODES[0][:-1] + "7"
    reason = uscc.validate(bad)
    assert reason is not None and "校验码错误" in reason and "应为 6" in reason


def test_letters_outside_the_alphabet_are_rejected():
    for letter in "IOSVZ":
        reason = uscc.validate("91110108551385082" + letter)
        assert reason is not None and "非法字符" in reason


def test_wrong_length_and_fullwidth_input():
    assert "长度" in (uscc.validate("9111010855138508") or "")
    assert uscc.validate("９１１１０１０８５５１３８５０８２Ｑ") is None


def test_repair_fixes_ocr_confusions_only_when_unambiguous():
    assert uscc.repair("9111O1O8551385O82Q") == "91110108551385082Q"  # letter O read for digit 0
    assert uscc.repair("9144030071526726XG".replace("X", "x")) == "9144030071526726XG"
    assert uscc.repair("12345") is None


def test_make_code_produces_valid_codes():
    for n in range(200):
        assert uscc.is_valid(uscc.make_code("1", "2", "120101", f"{n:08d}"))
