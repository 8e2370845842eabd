"""``python -m latent simulate``: JSON keys, wide CSV export, reproducibility, bad input."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import numpy as np
import pytest

from latent.__main__ import main


def _json(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


MYERSON_ARGV = ["simulate", "--mechanism", "myerson", "--values", "uniform", "--bidders", "4",
                "--samples", "20000", "--seed", "1", "--json", "--regret-grid", "16"]


def test_json_keys_and_values(capsys):
    out = _json(
        capsys,
        MYERSON_ARGV,
    )
    for key in ("revenue", "welfare", "efficiency", "regret", "ir_violations"):
        assert set(out[key]) >= {"mean", "ci"}
        lo, hi = out[key]["ci"]
        assert lo <= out[key]["mean"] <= hi
    assert out["revenue"]["ci"][0] - 0.01 <= 0.6125 <= out["revenue"]["ci"][1] + 0.01
    assert out["regret"]["mean"] == 0 and out["regret_resolution"] > 0
    again = _json(
        capsys,
        MYERSON_ARGV,
    )
    assert again["revenue"] == out["revenue"]


def test_wide_csv_export(capsys, tmp_path):
    path = tmp_path / "bids.csv"
    main(
        [
            "simulate",
            "--mechanism",
            "second_price",
            "--values",
            "exponential",
            "--bidders",
            "3",
            "--samples",
            "50",
            "--seed",
            "4",
            "--no-regret",
            "--out",
            str(path),
        ]
    )
    capsys.readouterr()
    rows = list(csv.reader(open(path)))
    assert rows[0] == ["auction_id", "bidder_1", "bidder_2", "bidder_3"]
    assert len(rows) == 51 and rows[1][0] == "1" and rows[-1][0] == "50"
    vals = np.array([[float(x) for x in r[1:]] for r in rows[1:]])
    assert np.all(vals >= 0)
    path2 = tmp_path / "items.csv"
    main(
        [
            "simulate",
            "--mechanism",
            "vcg",
            "--values",
            "uniform",
            "--bidders",
            "2",
            "--items",
            "2",
            "--samples",
            "5",
            "--no-regret",
            "--out",
            str(path2),
        ]
    )
    head = next(csv.reader(open(path2)))
    assert head == [
        "auction_id",
        "bidder_1_item_1",
        "bidder_1_item_2",
        "bidder_2_item_1",
        "bidder_2_item_2",
    ]


def test_first_price_regret_reported(capsys):
    out = _json(
        capsys,
        [
            "simulate",
            "--mechanism",
            "first_price",
            "--values",
            "uniform",
            "--bidders",
            "2",
            "--samples",
            "4000",
            "--json",
        ],
    )
    lo, hi = out["regret"]["ci"]
    assert lo - out["regret_resolution"] <= 1 / 6 <= hi  # 1/(n(n+1)) for n = 2


def test_pairwise_reports_monotonicity(capsys):
    out = _json(
        capsys,
        [
            "simulate",
            "--mechanism",
            "pairwise",
            "--values",
            "hetero",
            "--bidders",
            "3",
            "--samples",
            "300",
            "--json",
            "--regret-grid",
            "16",
        ],
    )
    assert out["pairwise_monotonicity"]["monotone"] is False


@pytest.mark.parametrize(
    "argv",
    [
        ["--mechanism", "nosuch", "--values", "uniform", "--bidders", "2"],
        ["--mechanism", "myerson", "--values", "nosuch", "--bidders", "2"],
        ["--mechanism", "myerson", "--values", "uniform", "--bidders", "0"],
        ["--mechanism", "menu", "--values", "uniform", "--bidders", "3"],
        ["--mechanism", "myerson", "--values", "empirical:/no/such.csv", "--bidders", "2"],
    ],
)
def test_bad_input_one_line_exit_2(argv, capsys):
    assert main(["simulate", *argv, "--samples", "10"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and err.count("\n") == 1


def test_bad_input_in_a_real_process():
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "latent",
            "simulate",
            "--mechanism",
            "myerson",
            "--values",
            "beta:1",
            "--bidders",
            "2",
        ],
        capture_output=True,
        text=True,
    )
    assert p.returncode == 2 and p.stderr.startswith("error:") and "Traceback" not in p.stderr


def test_help_has_example():
    p = subprocess.run(
        [sys.executable, "-m", "latent", "simulate", "--help"], capture_output=True, text=True
    )
    assert p.returncode == 0 and "python -m latent simulate --mechanism myerson" in p.stdout
