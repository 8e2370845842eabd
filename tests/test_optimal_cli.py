"""CLI: `latent optimal` and `latent frontier` (JSON keys, values, bad input)."""

import json
from fractions import Fraction as F

import pytest

from latent.__main__ import main
from numerics.lp.myerson import myerson_revenue


def run_json(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_optimal_yao_json(capsys):
    out = run_json(
        capsys,
        [
            "optimal",
            "--setting",
            "yao",
            "--agents",
            "2",
            "--items",
            "2",
            "--p",
            "1/2",
            "--a",
            "1",
            "--b",
            "2",
            "--json",
        ],
    )
    assert out["revenue"] == "51/16" and out["revenue_float"] == pytest.approx(3.1875)
    assert out["certificate"] == "verified"
    assert out["comparison"]["dsic"]["revenue"] == "25/8"
    assert F(out["benchmarks"]["itemwise_myerson"]) == 3


def test_optimal_yao_dsic_text(capsys):
    assert main(["optimal", "--bidders", "2", "--items", "2", "--dsic"]) == 0
    text = capsys.readouterr().out
    assert "25/8" in text and "51/16" in text and "verified" in text


def test_optimal_discrete_json(capsys):
    out = run_json(
        capsys,
        [
            "optimal",
            "--setting",
            "discrete",
            "--values",
            "discrete:1,2,3:1/3,1/3,1/3",
            "--agents",
            "2",
            "--items",
            "1",
            "--json",
        ],
    )
    expected = myerson_revenue([([1, 2, 3], [F(1, 3)] * 3)] * 2)
    assert F(out["revenue"]) == expected


@pytest.mark.parametrize(
    "argv",
    [
        ["optimal", "--bidders", "0"],
        ["optimal", "--p", "abc"],
        ["optimal", "--p", "3/2"],
        ["optimal", "--setting", "discrete"],
        ["optimal", "--setting", "discrete", "--values", "uniform"],
        ["optimal", "--items", "9"],
        ["frontier", "--bidders", "0"],
        ["frontier", "--bidders", "3", "--values", "nonsense"],
        ["frontier", "--bidders", "3", "--grades", "7"],
        ["frontier", "--bidders", "6", "--grid", "40"],
    ],
)
def test_bad_input_one_line_exit_2(capsys, argv):
    with pytest.raises(SystemExit, match="^2$") as exc:
        raise SystemExit(main(argv))
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and err.count("\n") == 1


def test_frontier_json_and_plot(capsys, tmp_path):
    plot = tmp_path / "f.png"
    out = run_json(
        capsys,
        [
            "frontier",
            "--bidders",
            "3",
            "--values",
            "discrete:1,2,3:1/3,1/3,1/3",
            "--grid",
            "3",
            "--json",
            "--plot",
            str(plot),
        ],
    )
    assert plot.exists() and plot.stat().st_size > 0
    rows = out["frontier"]
    assert [r["grade"] for r in rows] == [1, 2, 3]
    assert F(out["optimum"]) == myerson_revenue([([1, 2, 3], [F(1, 3)] * 3)] * 3)
    assert rows[-1]["revenue"] == out["optimum"] and rows[-1]["ratio"] == 1.0
    revs = [F(r["revenue"]) for r in rows]
    assert revs == sorted(revs)
    assert all(r["certificate"] == "verified" for r in rows)


def test_frontier_text_uniform(capsys):
    assert main(["frontier", "--bidders", "2", "--values", "uniform", "--grid", "4"]) == 0
    text = capsys.readouterr().out
    assert "Rev*" in text and "exact" in text
