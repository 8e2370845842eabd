"""Instance reader (one-line errors naming the field, fuzzed) and the ``efficient`` CLI."""

from __future__ import annotations

import copy
import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from latent.__main__ import main
from numerics.efficient import InstanceError, agent_payments, load_instance, parse_instance

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "efficient_seed002_section3.json"
BASE = json.loads(EXAMPLE.read_text())
EXPLICIT = {
    "outcomes": ["x", "y"],
    "agents": [
        {"name": "a", "report": [3, 1], "type_space": [{"lower": {"x": 2}, "upper": {"y": 1}}]},
        {"name": "b", "report": {"y": 2}},
    ],
}


def _bad(mutate, base=BASE):
    data = copy.deepcopy(base)
    mutate(data)
    return data


def _set(path, value):
    def f(d):
        *head, last = path
        for k in head:
            d = d[k]
        d[last] = value

    return f


def _del(path):
    def f(d):
        *head, last = path
        for k in head:
            d = d[k]
        del d[last]

    return f


BAD = [
    (_del(("agents",)), "agents"),
    (_set(("agents",), []), "agents"),
    (_set(("agents",), {"a": 1}), "agents"),
    (_set(("items",), "AB"), "items"),
    (_set(("items",), []), "items"),
    (_set(("outcomes",), ["x"]), "instance"),  # both outcomes and items
    (_del(("agents", 1, "bids")), "agents[1].bids"),
    (_set(("agents", 1, "bids"), {"B": "three"}), "agents[1].bids.B"),
    (_set(("agents", 1, "bids"), {"B": True}), "agents[1].bids.B"),
    (_set(("agents", 1, "bids"), {"B": "1e20"}), "agents[1].bids.B"),
    (_set(("agents", 1, "bids"), {"B": 1e300}), "agents[1].bids.B"),
    (_set(("agents", 1, "bids"), {"C": 3}), "agents[1].bids"),
    (_set(("agents", 0, "bundles"), ["A", "A"]), "agents[0].bundles"),
    (_set(("agents", 0, "type_space"), []), "agents[0].type_space"),
    (_set(("agents", 0, "type_space", 0, "lower"), {"A": "x"}), "agents[0].type_space[0].lower.A"),
    (_set(("agents", 0, "type_space", 0, "lower"), {"Z": 1}), "agents[0].type_space[0].lower"),
    (_set(("agents", 0, "type_space", 0, "upper"), {"A": 3}), "agents[0].type_space[0]"),  # empty
    (_set(("agents", 0, "type_space", 1, "point"), [1, 2]), "agents[0].type_space[1]"),
    (_set(("agents", 0, "type_space", 1), {"point": [1, 2]}), "agents[0].type_space[1].point"),
    (
        _set(
            ("agents", 0, "type_space", 0, "constraints"),
            [{"coef": [1, 0, 0], "op": "<", "rhs": 1}],
        ),
        "agents[0].type_space[0].constraints[0].op",
    ),
    (
        _set(
            ("agents", 0, "type_space", 0, "constraints"), [{"coef": [1, 0], "op": "<=", "rhs": 9}]
        ),
        "agents[0].type_space[0].constraints[0].coef",
    ),
    (_set(("agents", 0, "bids"), {"A": 2}), "agents[0].bids"),  # report outside Θ_1
    (_set(("agents", 0, "colour"), "red"), "agents[0]"),
    (_set(("agents", 1, "name"), "1"), "agents"),  # duplicate names
]


@pytest.mark.parametrize("mutate, field", BAD)
def test_bad_instances_name_the_field(mutate, field):
    with pytest.raises(InstanceError, match=re.escape(field)) as err:
        parse_instance(_bad(mutate))
    msg = str(err.value)
    assert "\n" not in msg and (msg.startswith(field + ":") or msg.startswith(field + "[")), msg


@pytest.mark.parametrize(
    "mutate, field",
    [
        (_del(("agents", 0, "report")), "agents[0].report"),
        (_set(("agents", 0, "report"), [1, 2, 3]), "agents[0].report"),
        (_set(("agents", 0, "report"), [1, float("nan")]), "agents[0].report[1]"),
        (_set(("agents", 1, "report"), {"z": 1}), "agents[1].report"),
        (_set(("outcomes",), ["x", "x"]), "outcomes"),
        (_set(("agents", 0, "bids"), {"x": 1}), "agents[0]"),
    ],
)
def test_bad_explicit_instances(mutate, field):
    with pytest.raises(InstanceError, match=r"^" + field.replace("[", r"\[").replace("]", r"\]")):
        parse_instance(_bad(mutate, EXPLICIT))


def test_explicit_instance_and_numbers_are_exact():
    m = parse_instance(_bad(_set(("agents", 1, "report"), {"y": "5/2"}), EXPLICIT))
    assert m.reports[1] == (0, Fraction(5, 2))
    r = agent_payments(m, 0)
    # reports: a = (3, 1), b = (0, 5/2): y wins (7/2 > 3), c_eff = 5/2. a's Θ = {x ≥ 2, y ≤ 1}
    # (y unbounded below) is connected: inf w = inf max(x, y + 5/2) = 2 at x = 2, y ≤ -1/2.
    assert m.outcomes[m.efficient()] == "y"
    assert r.weakest_type == r.optimal == Fraction(-1, 2)
    assert r.vcg == 0  # w(0) = 5/2: VCG beats WT here because Θ allows negative values


JSONS = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(allow_nan=True)
    | st.text(max_size=4)
    | st.sampled_from(["A", "B", "AB", "x", "1/2", "<=", "=="]),
    lambda kids: (
        st.lists(kids, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "items",
                    "outcomes",
                    "agents",
                    "bids",
                    "report",
                    "type_space",
                    "lower",
                    "upper",
                    "fixed",
                    "point",
                    "points",
                    "constraints",
                    "coef",
                    "op",
                    "rhs",
                    "name",
                    "bundles",
                    "A",
                    "B",
                    "x",
                ]
            ),
            kids,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSONS)
def test_fuzz_reader_never_tracebacks(data):
    try:
        parse_instance(data)
    except InstanceError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_fuzz_mutations_of_the_example(data):
    doc = copy.deepcopy(BASE)
    node = doc
    path = []
    for _ in range(data.draw(st.integers(1, 4))):
        if isinstance(node, dict) and node:
            key = data.draw(st.sampled_from(sorted(node)))
        elif isinstance(node, list) and node:
            key = data.draw(st.integers(0, len(node) - 1))
        else:
            break
        path.append(key)
        if not isinstance(node[key], dict | list):
            break
        node = node[key]
    if not path:
        return
    _set(tuple(path), data.draw(JSONS))(doc)
    try:
        parse_instance(doc)
    except InstanceError as exc:
        assert "\n" not in str(exc)


# ---------------------------------------------------------------- CLI


def test_cli_json_payments_are_exact_strings(capsys):
    assert main(["efficient", str(EXAMPLE), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["payments"]["1"] == {"vcg": "1", "weakest_type": "2", "optimal": "4"}
    assert out["payments"]["2"] == {"vcg": "0", "weakest_type": "0", "optimal": "0"}
    assert out["efficient_allocation"] == "1:A, 2:B"
    a1 = out["agents"][0]
    assert a1["characterisations_agree"] is True
    assert a1["verification"]["optimal"]["ir"] and a1["verification"]["optimal"]["ic"]


def test_cli_text_agent_selection_and_plot(tmp_path, capsys):
    png = tmp_path / "pay.png"
    assert main(["efficient", str(EXAMPLE), "--agent", "1", "--plot", str(png)]) == 0
    text = capsys.readouterr().out
    assert "VCG 1   weakest type 2   optimal 4" in text and "agent 2" not in text
    assert png.stat().st_size > 1000


def test_cli_monte_carlo_is_reproducible(capsys):
    args = ["efficient", str(EXAMPLE), "--samples", "6", "--seed", "5", "--json"]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)["expected_revenue"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["expected_revenue"] == first
    assert first["mean"]["optimal"] == 4.0  # bidder 1 pays 4 on every draw; 2 and 3 pay 0


def test_cli_toml_equals_json(tmp_path, capsys):
    toml = tmp_path / "s3.toml"
    toml.write_text(
        'items = ["A", "B"]\n'
        '[[agents]]\nname = "1"\nbundles = ["A", "B", "AB"]\nbids = {A = 5}\n'
        "[[agents.type_space]]\nlower = {A = 4}\nfixed = {B = 0, AB = 0}\n"
        "[[agents.type_space]]\nlower = {B = 4}\nfixed = {A = 0, AB = 0}\n"
        '[[agents]]\nname = "2"\nbids = {B = 3}\n'
        '[[agents]]\nname = "3"\nbids = {A = 1}\n'
    )
    assert main(["efficient", str(toml), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["payments"]["1"]["optimal"] == "4"


@pytest.mark.parametrize(
    "content, needle",
    [
        ("{not json", "not valid json"),
        (
            '{"items": ["A"], "agents": [{"bids": {"A": -1},'
            ' "type_space": [{"lower": {"A": 0}}]}]}',
            "agents[0].bids",
        ),
        ('{"outcomes": ["x"], "agents": [{"report": [1]}]}', None),
    ],
)
def test_cli_errors_are_one_line_exit_2(tmp_path, capsys, content, needle):
    f = tmp_path / "inst.json"
    f.write_text(content)
    code = main(["efficient", str(f)])
    err = capsys.readouterr().err
    if needle is None:
        assert code == 0
        return
    assert code == 2 and err.count("\n") == 1 and needle in err.lower()


def test_cli_bad_agent_missing_file_and_no_distribution(tmp_path, capsys):
    assert main(["efficient", str(EXAMPLE), "--agent", "9"]) == 2
    assert "--agent" in capsys.readouterr().err
    assert main(["efficient", str(tmp_path / "missing.json")]) == 2
    capsys.readouterr()
    f = tmp_path / "nodist.json"
    f.write_text(json.dumps(EXPLICIT))
    assert main(["efficient", str(f), "--samples", "5"]) == 2
    assert "distribution" in capsys.readouterr().err


def test_load_instance_reads_the_example():
    m = load_instance(EXAMPLE)
    assert m.agents == ("1", "2", "3") and len(m.type_spaces[0]) == 2


def test_cli_help_has_a_runnable_example(capsys):
    with pytest.raises(SystemExit, match="^0$") as ex:
        main(["efficient", "--help"])
    assert ex.value.code == 0
    assert "python -m latent efficient examples/efficient_seed002_section3.json" in (
        capsys.readouterr().out
    )
