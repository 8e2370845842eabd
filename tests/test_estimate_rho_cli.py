"""The estimate_rho command: help with an example, JSON keys, plot, bad input as one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from latent.cli.estimate_rho import run_cli

FAST = ["--n-boot", "50", "--revenue-samples", "5000", "--samples", "500", "--grid", "6",
        "--lp-grid", "4", "--quiet"]


@pytest.fixture()
def good_csv(tmp_path):
    rng = np.random.default_rng(np.random.SeedSequence(0))
    p = tmp_path / "good.csv"
    rows = ["auction_id,bidder_1,bidder_2,bidder_3"]
    rows += [f"{k},{a:.6f},{b:.6f},{c:.6f}" for k, (a, b, c) in enumerate(rng.random((300, 3)))]
    p.write_text("\n".join(rows) + "\n")
    return p


@pytest.mark.parametrize("cmd", [["-m", "latent.estimate_rho"], ["-m", "latent", "estimate_rho"]])
def test_help_shows_an_example(cmd):
    out = subprocess.run([sys.executable, *cmd, "--help"], capture_output=True, text=True,
                         check=False)
    assert out.returncode == 0
    assert "python -m latent.estimate_rho auctions.csv --seed 1" in out.stdout


def test_json_keys(good_csv, capsys):
    assert run_cli([str(good_csv), "--json", "--seed", "2", *FAST]) == 0
    d = json.loads(capsys.readouterr().out)
    assert {"source", "format", "auctions_read", "dropped", "data_warnings", "sizes", "groups",
            "skipped_sizes", "options", "seed", "truncation_loss_definitions"} <= set(d)
    g = d["groups"][0]
    assert {"n_bidders", "selection", "values_from", "spectral_rho", "marginals", "mechanism",
            "grade_spectrum", "spectrum_note", "grade_decay_rho", "revenue",
            "observed_second_price", "truncation", "exact_grade_restricted",
            "warnings"} <= set(g)
    assert set(d["truncation_loss_definitions"]) == {"naive", "repaired", "exact"}
    assert g["truncation"]["points"][0]["grade"] == 1 and len(g["truncation"]["points"]) == 2


def test_table_prints_both_loss_definitions_and_marks_exact(good_csv, capsys):
    assert run_cli([str(good_csv), "--seed", "2", *FAST]) == 0
    out = capsys.readouterr().out
    assert "naive revenue" in out and "repaired revenue" in out and "Rev^(R)" in out
    assert "(exact)" in out and "O(1/K)" in out
    # R ≥ 1 keeps the interim rule, so the naive loss is 0: printed as such, not as ~1e-16
    naive = [line for line in out.splitlines() if "naive revenue" in line]
    assert naive and all("(loss 0 up to rounding)" in line for line in naive)
    assert "definitions of the truncation revenue loss" in out


def test_plot(good_csv, tmp_path, capsys):
    png = tmp_path / "s.png"
    assert run_cli([str(good_csv), "--plot", str(png), *FAST]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"


def _error(argv, capsys):
    code = run_cli(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    return err


@pytest.mark.parametrize("text, message", [
    (None, "no such file"),
    ("", "empty file"),
    ("id,x,y\n1,a,b\n2,c,d\n", "no numeric bid"),
    ("a,a,b\n1,2,3\n", "duplicated column"),
    ("auction_id,bidder,bid\n1,a,1\n2,b,2\n", "no usable auction"),
    ("auction_id,bidder,bid\n1,a,x\n1,b,y\n", "no usable auction"),
])
def test_bad_files(tmp_path, capsys, text, message):
    p = tmp_path / "bad.csv"
    if text is not None:
        p.write_text(text)
    assert message in _error([str(p), *FAST], capsys)


def test_bad_flags(good_csv, capsys):
    assert "invalid choice" in _error([str(good_csv), "--format", "tall"], capsys)
    assert "--bidders 1: must be an integer ≥ 2" in _error([str(good_csv), "--bidders", "1"],
                                                           capsys)
    assert "--n-boot 1: must be an integer ≥ 2" in _error([str(good_csv), "--n-boot", "1"],
                                                          capsys)
    assert "--bandwidth -1.0: must be > 0" in _error([str(good_csv), "--bandwidth", "-1"],
                                                     capsys)
    assert "only meaningful with lowest_wins" in _error([str(good_csv), "--buyer-value", "2"],
                                                        capsys)
    assert "exactly 5 bidders" in _error([str(good_csv), "--bidders", "5", *FAST], capsys)
    assert "COL=VALUE" in _error([str(good_csv), "--where", "oops"], capsys)
    assert "--asymmetric needs --bidders" in _error([str(good_csv), "--asymmetric"], capsys)
    assert "not a single-item" in _error([str(good_csv), "--mechanism", "menu"], capsys)
    assert "unknown mechanism" in _error([str(good_csv), "--mechanism", "nope", *FAST], capsys)


def test_wide_file_with_covariates_refused_with_flags(tmp_path, capsys):
    rng = np.random.default_rng(np.random.SeedSequence(3))
    rows = ["tract,firm,bidamt,year"]
    rows += [f"{k // 3},f{k % 3},{rng.random():.4f},{2000 + k // 30}" for k in range(120)]
    p = tmp_path / "cov.csv"
    p.write_text("\n".join(rows) + "\n")
    err = _error([str(p), *FAST], capsys)
    assert "--format long --auction-col tract --bidder-col firm --bid-col bidamt" in err
    assert "year (a covariate name)" in err


def test_bad_bids_are_dropped_with_a_count(tmp_path, capsys):
    rng = np.random.default_rng(np.random.SeedSequence(1))
    rows = ["auction_id,bidder,bid"]
    for k in range(60):
        rows += [f"{k},a,{rng.random():.4f}", f"{k},b,{rng.random():.4f}"]
    rows += ["1,c,nan", "2,c,inf", "3,c,-1", "4,c,abc", "99,solo,1.0"]
    p = tmp_path / "dirty.csv"
    p.write_text("\n".join(rows) + "\n")
    assert run_cli([str(p), "--json", *FAST]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["dropped"] == {"NaN bid": 1, "infinite bid": 1, "negative bid": 1,
                            "non-numeric bid": 1, "auction with fewer than 2 bidders": 1}
    assert d["groups"][0]["selection"]["rows"] == 60
