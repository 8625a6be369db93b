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


def test_repair_never_puts_a_letter_in_the_division_code():
    # a bw scan read "1" for the 4 in 6904…; one confusion swap elsewhere ("1" -> "T" in the
    # division code) also satisfies the check character, and used to be returned: another unit's code
    assert uscc.repair("11120000690123077X") is None


def test_repair_of_one_misread_character_gives_the_true_code_or_nothing():
    import random
    rng = random.Random(5)
    pairs = {"0": "DQ", "1": "7LT", "7": "1", "8": "B3", "3": "8", "5": "6", "6": "5G", "2": "7"}
    others = {"0": "869", "1": "4", "7": "2", "8": "06", "3": "5", "5": "3", "6": "8", "2": "Z"}
    tally = {(known, result): 0 for known in (True, False) for result in ("right", "none", "wrong")}
    for _ in range(4000):
        code = uscc.make_code(rng.choice("159"), rng.choice("123"), f"12{rng.randrange(10**4):04d}",
                              f"{rng.randrange(10**8):08d}")
        i = rng.randrange(17)
        if code[i] not in pairs:
            continue
        known = rng.random() < 0.5
        misread = code[:i] + rng.choice((pairs if known else others)[code[i]]) + code[i + 1:]
        fixed = uscc.repair(misread)
        tally[(known, "right" if fixed == code else "none" if fixed is None else "wrong")] += 1
    # a confusion the repair knows: repaired or left alone, never turned into another code
    assert tally[(True, "wrong")] == 0
    assert tally[(True, "right")] > 0.8 * (tally[(True, "right")] + tally[(True, "none")])
    # any other misread: the two check characters still catch all but a few
    assert tally[(False, "wrong")] < 0.1 * sum(tally[(False, r)] for r in ("right", "none", "wrong"))
