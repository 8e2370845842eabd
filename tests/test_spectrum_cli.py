"""``python -m latent spectrum``: values against oracles, JSON keys, plots, bad input."""

from __future__ import annotations

import json
import math
from itertools import combinations

import numpy as np
import pytest

from latent.__main__ import main
from latent.anova.testfunctions import default_g_coefficients, sobol_g_energies


def run_json(capsys, *argv):
    code = main(["spectrum", *argv, "--json", "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


def test_grid_sobol_g_matches_discrete_product_formula(capsys):
    n, k = 4, 6
    out = run_json(capsys, "--function", "latent.anova.testfunctions:sobol_g", "--inputs", str(n),
                   "--method", "grid", "--grid", str(k))
    # Independent oracle: the midpoint grid is a product measure, G a product of factors:
    # σ²_u = Π_{j∈u} v_j Π_{j∉u} μ_j² with the discrete per-axis moments.
    a = default_g_coefficients(n)
    x = (np.arange(k) + 0.5) / k
    g = (np.abs(4 * x[:, None] - 2) + a) / (1 + a)
    mu, m2 = g.mean(axis=0), (g**2).mean(axis=0)
    v = m2 - mu**2
    want = [sum(np.prod([v[j] if j in u else mu[j] ** 2 for j in range(n)])
                for u in combinations(range(n), r)) for r in range(n + 1)]
    np.testing.assert_allclose(out["energies"], want, rtol=1e-12)
    assert out["variance"] == pytest.approx(sum(want[1:]), rel=1e-12)
    assert out["method"] == "grid" and out["exact"] is True
    for key in ("rho", "rho_ratios", "mean_dimension", "seed"):
        assert key in out
    assert out["rho_ratios"] == pytest.approx(
        [math.sqrt(want[r] / want[r + 1]) for r in range(1, n)], rel=1e-10)


def test_mc_json_covers_closed_form_and_is_seeded(capsys):
    """smoke (one seed): the CLI's MC energies lie near the closed form; coverage over seeds is
    asserted on the library function in test_anova_mc.py."""
    args = ("--function", "latent.anova.testfunctions:sobol_g", "--inputs", "6", "--method", "mc",
            "--samples", "20000", "--max-grade", "3", "--seed", "7")
    out = run_json(capsys, *args)
    truth = sobol_g_energies(default_g_coefficients(6))
    for r in range(1, 4):
        lo, hi = out["energies_ci"][r]
        half = (hi - lo) / 2
        assert abs(out["energies"][r] - truth[r]) <= 2.1 * half
    assert out["seed"] == 7 and out["rho"]["rho_ci"] is not None
    assert run_json(capsys, *args)["energies"] == out["energies"]


def test_quad_and_plot(capsys, tmp_path):
    png = tmp_path / "s.png"
    out = run_json(capsys, "--function", "latent.anova.testfunctions:ishigami", "--inputs", "3",
                   "--marginal", f"uniform:{-math.pi}:{math.pi}", "--method", "quad",
                   "--grid", "30", "--plot", str(png))
    assert out["energies"][2] == pytest.approx(8 * 0.01 * math.pi**8 / 225, rel=1e-9)
    assert png.stat().st_size > 1000


def test_mechanism_second_price_variance(capsys):
    pytest.importorskip("numerics.mechanisms")
    out = run_json(capsys, "--mechanism", "second_price", "--bidders", "3", "--values",
                   "uniform", "--method", "mc", "--samples", "20000", "--max-grade", "2")
    # Exactly one winner among 3 i.i.d. bidders: Σ_i Var x_i = 3·(1/3)(2/3), W_0 = 3·(1/3)².
    lo, hi = out["variance_ci"]
    assert lo - 0.01 <= 2 / 3 <= hi + 0.01
    assert out["energies"][0] == pytest.approx(1 / 3, abs=0.02)
    assert out["bidders"] == 3 and out["items"] == 1


def test_mechanism_grid_says_indicator(capsys):
    pytest.importorskip("numerics.mechanisms")
    out = run_json(capsys, "--mechanism", "second_price", "--bidders", "3", "--method",
                   "grid", "--grid", "8")
    assert any("O(1/K)" in n for n in out["notes"])
    assert sum(out["energies"]) == pytest.approx(1.0, abs=1e-9)  # Σ_i E x_i² = E Σ x_i = 1


@pytest.mark.parametrize(
    "argv, msg",
    [
        (["--function", "nomodule:f", "--inputs", "2"], "cannot load"),
        (["--function", "latent.anova.testfunctions:sobol_g"], "--inputs"),
        (["--inputs", "2"], "exactly one"),
        (["--function", "x", "--inputs", "2"], "pkg.module:callable"),
        (["--function", "latent.anova.testfunctions:sobol_g", "--inputs", "2", "--marginal",
          "nonsense"], "nonsense"),
        (["--function", "latent.anova.testfunctions:sobol_g", "--inputs", "40", "--method", "grid"],
         "too large"),
        (["--function", "latent.anova.testfunctions:ishigami", "--inputs", "2", "--method", "mc"],
         "IndexError"),
    ],
)
def test_bad_input_one_line_exit_2(capsys, argv, msg):
    assert main(["spectrum", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "\n" not in err and msg in err
