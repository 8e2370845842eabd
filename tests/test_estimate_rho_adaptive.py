"""estimate_rho --target-rel-ci: the grade-spectrum step samples until the target or the
``samples`` budget; without the flag the step (and every number) is unchanged."""

from __future__ import annotations

import json

import numpy as np
import pytest

from latent.cli.estimate_rho import run_cli
from latent.estimate.pipeline import estimate_rho

FAST = dict(n_boot=50, revenue_samples=4000, data_boot=0, tests=False, lp_max_bidders=2,
            mechanism="second_price", spectrum="mc", max_grade=3)


@pytest.fixture()
def six_bidders(tmp_path):
    v = np.random.default_rng(np.random.SeedSequence(21)).random((300, 6))
    p = tmp_path / "six.csv"
    rows = ["auction_id," + ",".join(f"bidder_{i + 1}" for i in range(6))]
    rows += [f"{k}," + ",".join(f"{x:.9f}" for x in row) for k, row in enumerate(v)]
    p.write_text("\n".join(rows) + "\n")
    return p


def test_adaptive_spectrum_step_reaches_the_target(six_bidders):
    rep = estimate_rho(six_bidders, seed=1, samples=40_000, target_rel_ci=0.15, **FAST)
    (g,) = rep.groups
    s = g.spectrum
    assert s.method == "owen" and s.target_rel_ci == 0.15 and s.resolved == (1, 2, 3)
    assert all(s.relative_half_widths()[r] <= 0.15 for r in (1, 2, 3))
    assert s.samples <= 40_000 and "adaptive" in g.spectrum_note
    lo, hi = s.variance_ci  # second price: someone always wins, Σ_i Var x_i = 1 − 1/N
    assert lo < 5 / 6 < hi
    d = rep.to_dict()["groups"][0]["grade_spectrum"]
    assert d["resolved_grades"] == [1, 2, 3] and d["unresolved_grades"] == []
    small = estimate_rho(six_bidders, seed=1, samples=500, target_rel_ci=0.01, **FAST)
    assert small.groups[0].spectrum.unresolved and "unresolved" in small.groups[0].spectrum_note


def test_without_the_flag_nothing_changes(six_bidders):
    a = estimate_rho(six_bidders, seed=2, samples=1000, **FAST)
    b = estimate_rho(six_bidders, seed=2, samples=1000, target_rel_ci=None, **FAST)
    assert a.groups[0].spectrum.method == "mc" and a.groups[0].spectrum.resolved is None
    assert json.dumps(a.to_dict(), default=str) == json.dumps(b.to_dict(), default=str)


@pytest.mark.parametrize("value", ["0", "1.5", "nan"])
def test_bad_target_is_one_line_exit_2(six_bidders, capsys, value):
    code = run_cli([str(six_bidders), "--target-rel-ci", value, "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "--target-rel-ci" in err, err
