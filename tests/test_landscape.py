"""The landscape's pieces against oracles: grade-1 posted prices, the 2:1 second-price spectrum,
rank invariance of the spectrum, CI coverage, pooling of chunks, and the CLI."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from stat_rules import assert_coverage, min_seeds

from latent.anova import grade_spectrum_grid
from latent.studies.formats import FORMATS, UnlimitedPostedPrice, build
from latent.studies.landscape import (
    format_spectrum,
    landscape,
    measure,
    revenue_efficiency,
    smoothness,
)
from numerics.mechanisms import make_mechanism


def _grid_table(mech, n, k, values="uniform"):
    """Allocation table on K quantile midpoints per bidder: shape (K,)*N + (N·M,)."""
    from numerics.valuations import parse_valuation

    pts = parse_valuation(values).quantile((np.arange(k) + 0.5) / k)
    mesh = np.stack(np.meshgrid(*[pts] * n, indexing="ij"), -1).reshape(-1, n)
    x = mech.allocation(mesh[:, :, None])
    return x.reshape((k,) * n + (-1,))


def test_unlimited_posted_price_is_grade_one_exactly_grid_and_mc():
    # x_i = 1{v_i ≥ p} is additive in the bidders: W_r = 0 for r ≥ 2, W_1 = N p(1 − p).
    s = grade_spectrum_grid(_grid_table(UnlimitedPostedPrice(0.3), 3, 10), np.full(10, 0.1),
                            n_inputs=3)
    assert s.energies[1] == pytest.approx(3 * 0.3 * 0.7, abs=1e-12)
    assert max(abs(e) for e in s.energies[2:]) < 1e-15
    assert s.rho().rho == math.inf
    mc = format_spectrum(FORMATS["posted_unlimited"].with_(n=5), 400, 4, seed=3)
    assert mc.energies[2:] == (0.0, 0.0, 0.0) and mc.energies_ci[2] == (0.0, 0.0)
    lo, hi = mc.energies_ci[1]
    assert lo < 5 * 0.25 < hi
    # The one-unit sequential posted price is NOT grade 1 (the seed's row needs unlimited supply)
    seq = format_spectrum(FORMATS["posted_price"], 2000, 3, seed=3)
    assert seq.energies_ci[2][0] > 0


def test_second_price_two_bidders_ratio_two_to_one_on_every_grid():
    # Continuous law: W_1 = 1/3, W_2 = 1/6 (both outputs). On K quantile midpoints the ratio is
    # already exactly 2 and the energies converge at O(1/K²) here (W_1 = 1/3 − 1/(3K²), derived
    # by counting ties on the diagonal), better than the O(1/K) worst case for indicators.
    for k in (10, 25, 50, 100):
        s = grade_spectrum_grid(_grid_table(make_mechanism("second_price", 2), 2, k),
                                np.full(k, 1.0 / k), n_inputs=2)
        assert s.energies[1] / s.energies[2] == pytest.approx(2.0, abs=1e-9)
        assert s.energies[1] == pytest.approx(1 / 3 - 1 / (3 * k * k), abs=1e-12)
        assert s.energies[2] == pytest.approx(1 / 6 - 1 / (6 * k * k), abs=1e-12)


@pytest.mark.slow
def test_second_price_two_bidders_mc_covers_exact_energies_and_coverage():
    # Summed over both outputs: W_1 = 2·(1/12 + 1/12) = 1/3, W_2 = 2·(1/4 − 1/6) = 1/6.
    # Each grade's coverage is counted over independent seeds, one spectrum per seed.
    seeds = min_seeds(0.95, 0.90, rates=2)
    hits = np.zeros(2, dtype=int)
    for seed in range(seeds):
        s = format_spectrum(FORMATS["second_price"].with_(n=2), 300, 2, seed=seed)
        hits += [s.energies_ci[r][0] < w < s.energies_ci[r][1] for r, w in ((1, 1 / 3), (2, 1 / 6))]
    assert_coverage(hits, seeds)


def test_rank_based_rules_have_the_same_spectrum_under_every_continuous_law():
    # Second price depends on the values only through their ranks: a monotone transform of
    # each input leaves its Hoeffding spectrum unchanged, smooth or rough F alike. Atoms do not.
    res = smoothness("second_price", ["beta:2:2", "beta:1/2:1/2", "lognormal:0:1",
                                      "discrete:1/4,3/4:1/2,1/2"], samples=600,
                     rev_samples=2000, seed=5)
    e = [r.spectrum.energies for r in res.rows]
    assert np.allclose(e[0], e[1], rtol=1e-12) and np.allclose(e[0], e[2], rtol=1e-12)
    assert not np.allclose(e[0], e[3], rtol=1e-3)
    # Myerson's reserve depends on F: the same uniform vs a different law changes the spectrum.
    my = smoothness("myerson", ["uniform", "exponential"], samples=600, rev_samples=2000)
    assert not np.allclose(my.rows[0].spectrum.energies, my.rows[1].spectrum.energies)


def test_revenue_against_closed_forms():
    rev, eff = revenue_efficiency(FORMATS["second_price"].with_(n=3), 40000, seed=2)
    assert rev.ci[0] < 0.5 < rev.ci[1] and eff.mean == pytest.approx(1.0)
    rev, _ = revenue_efficiency(FORMATS["myerson"].with_(n=2), 40000, seed=2)
    assert rev.ci[0] < 1 / 3 + 0.25 / 3 < rev.ci[1]  # (n−1)/(n+1) + 2^−n/(n+1)
    rev, _ = revenue_efficiency(FORMATS["posted_unlimited"].with_(n=4), 40000, seed=2)
    assert rev.ci[0] < 4 * 0.25 < rev.ci[1]


def test_gsp_allocation_follows_the_contract_and_one_slot_equals_second_price():
    v = np.random.default_rng(np.random.SeedSequence(1)).random((7, 4, 1))
    x = make_mechanism("gsp", 4, 3).allocation(v)
    assert x.shape == (7, 4, 3) and np.all(x.sum(axis=1) <= 1) and np.all(x.sum(axis=2) <= 1)
    with pytest.raises(ValueError, match="2 click-through rates for 3 slots"):
        make_mechanism("gsp", 4, 3, ctrs=(1.0, 0.5))
    g = format_spectrum(FORMATS["gsp"].with_(n=3, m=1), 500, 3, seed=4)
    sp = format_spectrum(FORMATS["second_price"], 500, 3, seed=4)
    assert np.allclose(g.energies, sp.energies)


def test_latent_inputs_reproduce_the_model():
    b = build(FORMATS["myerson_latent"], seed=0)
    u = np.array([[0.5, 0.01, -0.02, 0.0]])
    w = b.profile.w[:, 0]
    assert np.allclose(b.to_profile(u)[0, :, 0], np.maximum(0, 0.5 * w + u[0, 1:]))
    assert b.n_inputs == 4


def test_chunked_local_executor_pools_to_a_valid_spectrum():
    from numerics.engine import EngineConfig

    cfg = EngineConfig(executor="local", workers=1, batch_size=300, progress=False)
    a = format_spectrum(FORMATS["second_price"].with_(n=2), 1200, 2, seed=7, config=cfg)
    b = format_spectrum(FORMATS["second_price"].with_(n=2), 1200, 2, seed=7, config=cfg)
    assert a.samples == 1200 and a.energies == b.energies  # deterministic
    assert a.energies_ci[2][0] < 1 / 6 < a.energies_ci[2][1]


def test_landscape_result_api(tmp_path):
    res = landscape(["posted_unlimited", "second_price", "vcg"], samples=400, rev_samples=2000,
                    max_grade=3, seed=1, lp={"n": 2, "m": 1, "grid": 2})
    assert res.exact.ends_at_optimum  # LP row: Rev^(N) = Rev* exactly
    assert "smallest grade reaching Rev*" in res.exact_text()
    rows = {r.format.key: r for r in res.rows}
    assert rows["posted_unlimited"].measured_grade.startswith("1")
    assert rows["vcg"].spectrum.n_inputs == 3  # grades over bidders, each a block of 4 items
    d = res.to_dict()
    json.dumps(d, allow_nan=False, default=str)
    assert d["rows"][1]["claimed"]["grade"] == "2"
    res.to_csv(tmp_path / "t.csv")
    res.plot().figure.savefig(tmp_path / "t.png")
    assert (tmp_path / "t.png").stat().st_size > 1000
    assert "Second-price" in res.table()
    row = measure(FORMATS["combinatorial"], samples=300, rev_samples=1000, max_grade=2, seed=0)
    assert row.efficiency.ci[0] <= 1.0 + 1e-12


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "latent", "landscape", *args],
                          capture_output=True, text=True, timeout=120)


def test_cli_table_json_and_errors(tmp_path):
    r = _cli("--formats", "second_price,posted_unlimited", "--samples", "300", "--rev-samples",
             "1000", "--out", str(tmp_path), "--plot", str(tmp_path / "s.png"))
    assert r.returncode == 0, r.stderr
    assert "claimed: Large (smooth F)" in r.stdout and "∞ (structural)" in r.stdout
    assert "seed" not in r.stdout.split("Grade energies")[0]  # claims are not called seeds
    assert max(len(line) for line in r.stdout.splitlines()) <= 100
    assert "smallest grade reaching Rev*: 3" in r.stdout  # exact LP row, N = 3
    assert (tmp_path / "landscape.csv").exists() and (tmp_path / "s.png").exists()
    r = _cli("--formats", "second_price", "--samples", "300", "--rev-samples", "1000", "--json",
             "--lp", "none")
    d = json.loads(r.stdout)
    assert d["rows"][0]["claimed"]["rho"] == "Large (smooth F)"
    for bad in (["--formats", "nope"], ["--samples", "1"], ["--values", "nosuch"],
                ["--lp", "x"]):
        r = _cli(*bad, "--formats", "second_price") if bad[0] != "--formats" else _cli(*bad)
        assert r.returncode == 2 and r.stderr.startswith("error:") and "Traceback" not in r.stderr
