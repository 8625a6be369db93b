"""Fuzzing the template loader: the bundled kp-2024.yaml with entries deleted, retyped or replaced,
and its text mangled. Every variant loads or fails with a TemplateError that names where."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from registry.template import Template, TemplateError, load_template, parse_template

SOURCE = Path(__file__).resolve().parents[2] / "registry" / "templates" / "kp-2024.yaml"
TEXT = SOURCE.read_text(encoding="utf-8")
DATA = yaml.safe_load(TEXT)
VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**12), st.floats(allow_nan=True),
                   st.text(max_size=20), st.lists(st.text(max_size=5), max_size=3),
                   st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
                   st.sampled_from(["P01", "F99", "<=", "=>", "sum", "compare", "一、科普人员", "", "-1"]))
STATS: dict[str, int] = {}


def _paths(node, prefix=()):  # noqa: ANN001, ANN202
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


PATHS = [p for p in _paths(DATA) if p]


@st.composite
def mutated_data(draw: st.DrawFn) -> dict:
    data = copy.deepcopy(DATA)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(PATHS))
        parent = data
        try:
            for k in path[:-1]:
                parent = parent[k]
            op = draw(st.sampled_from(["delete", "replace"]))
            if op == "delete" and isinstance(parent, dict | list):
                del parent[path[-1]]
            else:
                parent[path[-1]] = draw(VALUES)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or retyped this path
    return data


def _outcome(load) -> None:  # noqa: ANN001
    try:
        t = load()
    except TemplateError as e:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(e)), str(e)
        STATS["rejected"] = STATS.get("rejected", 0) + 1
        return
    assert isinstance(t, Template)
    STATS["loaded"] = STATS.get("loaded", 0) + 1


@given(mutated_data())
def test_mutated_template_data_loads_or_names_the_problem(data):
    _outcome(lambda: parse_template(data, "fuzz.yaml"))


@given(st.integers(0, len(TEXT) - 1), st.integers(1, 80), st.sampled_from(["", ":", "- ", "{", "\t", "&a", "*a", "!!python/object:os.system"]))
def test_mangled_template_text_loads_or_names_the_problem(tmp_path_factory, pos, length, insert):
    p = tmp_path_factory.mktemp("tpl") / "t.yaml"
    p.write_text(TEXT[:pos] + insert + TEXT[pos + length:], encoding="utf-8")
    _outcome(lambda: load_template(p))


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    print(f"\nFUZZ template: {STATS}")
