"""The one-call API (latent.spectrum, simulate, landscape, design) against its command lines,
closed forms, seeds, bad arguments, frames and plots."""

from __future__ import annotations

import json
import math

import matplotlib
import numpy as np
import pandas as pd
import pytest

import latent
from latent.__main__ import main
from latent.anova.rho import RhoFit, grade_decay_rho
from latent.anova.testfunctions import ishigami, ishigami_energies
from latent.results import ConfidenceInterval
from numerics.engine import EngineConfig, run
from numerics.stats import Moments

PI_LAW = f"uniform:{-math.pi}:{math.pi}"


def cli_json(capsys, *argv):
    assert main([*argv, "--json"]) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out), captured.err


def without(d: dict, *keys) -> dict:
    return {k: v for k, v in d.items() if k not in keys}


def untimed(x):
    """A JSON document without its wall-clock fields ("seconds"), which differ run to run."""
    if isinstance(x, dict):
        return {k: untimed(v) for k, v in x.items() if k != "seconds"}
    if isinstance(x, list):
        return [untimed(v) for v in x]
    return x


# ---- the API gives the command line's numbers ---------------------------------------------


def test_spectrum_api_equals_cli(capsys):
    out, _ = cli_json(capsys, "spectrum", "--function", "latent.anova.testfunctions:sobol_g",
                      "--inputs", "5", "--method", "mc", "--samples", "3000", "--max-grade",
                      "3", "--seed", "4", "--quiet")
    s = latent.spectrum("latent.anova.testfunctions:sobol_g", inputs=5, method="mc",
                        samples=3000, max_grade=3, seed=4)
    assert s.to_dict() == out
    out, _ = cli_json(capsys, "spectrum", "--mechanism", "second_price", "--bidders", "3",
                      "--method", "grid", "--grid", "6")
    s = latent.spectrum(mechanism="second_price", bidders=3, method="grid", grid=6)
    assert s.to_dict() == out
    assert out["names"] == ["bidder_1", "bidder_2", "bidder_3"] and out["mechanism"] == \
        "second_price" and any("O(1/K)" in n for n in out["notes"])


def test_simulate_api_equals_cli(capsys, tmp_path):
    path = tmp_path / "bids.csv"
    out, _ = cli_json(capsys, "simulate", "--mechanism", "myerson", "--values", "exponential",
                      "--bidders", "3", "--samples", "3000", "--seed", "5", "--regret-grid",
                      "16", "--out", str(path))
    sim = latent.simulate("myerson", values="exponential", bidders=3, samples=3000, seed=5,
                          regret_grid=16, keep_bids=True)
    assert sim.to_dict() == without(out, "out")
    # the bids: the CLI's wide CSV is the API's DataFrame (written at 10 significant digits)
    csv = pd.read_csv(path)
    assert list(csv.columns) == list(sim.bids.columns) == ["auction_id", "bidder_1",
                                                           "bidder_2", "bidder_3"]
    assert csv["auction_id"].tolist() == list(range(1, 3001))
    np.testing.assert_allclose(csv.iloc[:, 1:].to_numpy(), sim.bids.iloc[:, 1:].to_numpy(),
                               rtol=1e-9)


def test_landscape_api_equals_cli(capsys):
    out, _ = cli_json(capsys, "landscape", "--formats", "second_price,posted_unlimited",
                      "--samples", "300", "--revenue-samples", "1000", "--lp", "2,1,2",
                      "--seed", "3")
    res = latent.landscape(["second_price", "posted_unlimited"], samples=300,
                           revenue_samples=1000, lp="2,1,2", seed=3)
    assert untimed(res.to_dict()) == untimed(out)


def test_design_api_equals_cli(capsys):
    out, _ = cli_json(capsys, "design", "--bidders", "2", "--grid", "8", "--lambda", "0",
                      "--lambda", "0.5", "--frontier", "--lp-grid", "3", "--scale-bidders",
                      "3", "--scale-samples", "500", "--bins", "4", "--seed", "2")
    rep = latent.design(bidders=2, grid=8, lambdas=[0, 0.5], frontier=True, lp_grid=3,
                        scale_bidders=3, scale_samples=500, bins=4, seed=2)
    assert untimed(rep.to_dict()) == untimed(out)


def test_text_of_the_cli_is_str_of_the_result(capsys):
    assert main(["design", "--bidders", "2", "--grid", "6", "--lambda", "0"]) == 0
    text = capsys.readouterr().out
    assert text.strip() == str(latent.design(bidders=2, grid=6, lambdas=[0])).strip()
    assert main(["simulate", "--mechanism", "second_price", "--values", "uniform", "--bidders",
                 "2", "--samples", "500", "--no-regret", "--quiet"]) == 0
    text = capsys.readouterr().out
    sim = latent.simulate("second_price", bidders=2, samples=500, regret=False)
    assert text.strip() == str(sim).strip()


# ---- seeds ---------------------------------------------------------------------------------


def test_int_and_seedsequence_give_identical_results():
    ss = np.random.SeedSequence
    a = latent.spectrum(lambda x: x[:, 0] * x[:, 1] + x[:, 2], inputs=3, samples=500, seed=9)
    b = latent.spectrum(lambda x: x[:, 0] * x[:, 1] + x[:, 2], inputs=3, samples=500,
                        seed=ss(9))
    assert a.to_dict() == b.to_dict()
    a = latent.simulate(bidders=2, samples=800, seed=9, regret_grid=8)
    b = latent.simulate(bidders=2, samples=800, seed=ss(9), regret_grid=8)
    assert a.to_dict() == b.to_dict()
    a = latent.landscape("second_price", samples=200, revenue_samples=500, lp=None, seed=9)
    b = latent.landscape("second_price", samples=200, revenue_samples=500, lp=None,
                         seed=ss(9))
    assert a.rows[0].spectrum.energies == b.rows[0].spectrum.energies
    assert a.rows[0].revenue == b.rows[0].revenue and a.seed == b.seed == 9
    kw = dict(bidders=2, grid=6, lambdas=[0], scale_bidders=3, scale_samples=300, bins=4)
    assert latent.design(**kw, seed=9).to_dict() == latent.design(**kw, seed=ss(9)).to_dict()


def test_a_seedsequence_is_not_consumed_and_generators_work():
    seq = np.random.SeedSequence(11)
    first = latent.simulate(bidders=2, samples=500, seed=seq, regret=False)
    again = latent.simulate(bidders=2, samples=500, seed=seq, regret=False)
    assert seq.n_children_spawned == 0 and first.to_dict() == again.to_dict()
    g1 = latent.simulate(bidders=2, samples=500, seed=np.random.default_rng(3), regret=False)
    g2 = latent.simulate(bidders=2, samples=500, seed=np.random.default_rng(3), regret=False)
    assert g1.to_dict() == g2.to_dict()  # same Generator state, same numbers
    s = latent.spectrum(lambda x: x.sum(1), inputs=2, samples=200,
                        seed=np.random.default_rng(3))
    json.dumps(s.to_dict(), allow_nan=False)  # the seed is reported as JSON (its entropy)
    r = latent.landscape("posted_unlimited", samples=200, revenue_samples=300, lp=None,
                         seed=np.random.default_rng(3))
    assert isinstance(r.seed, int | list)


def test_latent_tastes_do_not_depend_on_the_sampling_seed(capsys):
    w = [latent.simulate("second_price", values="latent", bidders=3, samples=100, seed=s,
                         regret=False).values["w"] for s in (0, 1, 2)]
    assert w[0] == w[1] == w[2]
    other = latent.simulate("second_price", values="latent", bidders=3, samples=100,
                            regret=False, taste_seed=5).values["w"]
    assert other != w[0]
    text = str(latent.simulate("second_price", values="latent", bidders=3, samples=100,
                               regret=False))
    assert "latent-factor tastes w = [" in text and "taste seed 0" in text
    rows = [latent.landscape("myerson_latent", samples=200, revenue_samples=300, lp=None,
                             seed=s) for s in (1, 2)]
    assert rows[0].rows[0].spectrum.energies != rows[1].rows[0].spectrum.energies  # resampled
    assert str(rows[0]).count("latent-factor tastes w") == 1
    assert main(["landscape", "--formats", "myerson_latent", "--samples", "200",
                 "--revenue-samples", "300", "--lp", "none", "--seed", "1"]) == 0
    assert "taste seed 0" in capsys.readouterr().out


# ---- bad arguments -------------------------------------------------------------------------


@pytest.mark.parametrize("fn, kwargs, name", [
    (latent.spectrum, {"function": ishigami, "inputs": 3, "sampels": 10}, "sampels"),
    (latent.simulate, {"bidder": 3}, "bidder"),
    (latent.landscape, {"rev_samples": 10}, "rev_samples"),
    (latent.design, {"lambda_": 1}, "lambda_"),
])
def test_unknown_keyword_is_a_type_error_naming_it(fn, kwargs, name):
    with pytest.raises(TypeError, match=name):
        fn(**kwargs)


@pytest.mark.parametrize("fn, kwargs, name", [
    (latent.spectrum, {"function": ishigami, "inputs": 3, "samples": -5}, "samples"),
    (latent.spectrum, {"function": ishigami, "inputs": 3, "method": "magic"}, "method"),
    (latent.spectrum, {"function": ishigami, "inputs": 3, "seed": -1}, "seed"),
    (latent.spectrum, {"function": ishigami, "inputs": 3, "marginal": "nonsense"}, "marginal"),
    (latent.spectrum, {"function": ishigami, "inputs": 3, "names": ["a"]}, "names"),
    (latent.spectrum, {"mechanism": "second_price"}, "bidders"),
    (latent.simulate, {"reserve": float("nan")}, "reserve"),
    (latent.simulate, {"bidders": 0}, "bidders"),
    (latent.simulate, {"executor": "gpu"}, "executor"),
    (latent.simulate, {"mechanism": "nosuch"}, "mechanism"),
    (latent.simulate, {"values": "nosuch"}, "values"),
    # squares of such values overflow: refused, not reported as revenue inf, CI [nan, nan]
    (latent.simulate, {"values": "uniform:0:1e308"}, "values"),
    (latent.simulate, {"values": "exponential:1e-200"}, "values"),
    (latent.simulate, {"samples": 2.5}, "samples"),
    (latent.landscape, {"formats": "nope"}, "formats"),
    (latent.landscape, {"samples": 1}, "samples"),
    (latent.landscape, {"lp": "x"}, "lp"),
    (latent.landscape, {"values": "nosuch", "lp": None}, "values"),
    (latent.design, {"rho_cap": float("nan")}, "rho_cap"),
    (latent.design, {"lambdas": [0.0, float("inf")]}, "lambdas"),
    (latent.design, {"families": "x"}, "families"),
    (latent.design, {"measure": "size"}, "measure"),
    (latent.design, {"bidders": -1}, "bidders"),
])
def test_invalid_value_is_a_value_error_naming_the_argument(fn, kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}\\b"):
        fn(**kwargs)


def test_wrong_kind_is_a_type_error_naming_the_argument():
    with pytest.raises(TypeError, match="^samples"):
        latent.simulate(samples="many")
    with pytest.raises(TypeError, match="^qmc"):
        latent.spectrum(ishigami, inputs=3, qmc="yes")


def test_cli_errors_name_the_flag(capsys):
    assert main(["spectrum", "--function", "latent.anova.testfunctions:sobol_g", "--inputs",
                 "2", "--max-grade", "0"]) == 2
    assert capsys.readouterr().err.startswith("error: --max-grade 0")
    assert main(["design", "--lambda", "nan"]) == 2
    assert capsys.readouterr().err.startswith("error: --lambda nan")


# ---- frames, text, plots -------------------------------------------------------------------


def test_frames_have_the_documented_shape():
    s = latent.spectrum(ishigami, inputs=3, marginal=PI_LAW, method="quad", grid=12,
                        names=["a", "b", "c"])
    f = s.to_frame()
    assert list(f.columns) == ["grade", "value", "ci_low", "ci_high", "share", "units"]
    assert f["grade"].tolist() == [0, 1, 2, 3]
    ix = s.indices_frame()
    assert ix["name"].tolist() == ["a", "b", "c"] and {"S1", "ST", "S1_ci_low",
                                                     "ST_ci_high"} <= set(ix.columns)
    mc = latent.spectrum(ishigami, inputs=3, marginal=PI_LAW, samples=500, max_grade=2)
    assert mc.to_frame()["ci_low"].notna().all() and len(mc.to_frame()) == 3
    assert mc.indices_frame()["S1_ci_low"].notna().all()
    sim = latent.simulate("myerson", bidders=2, samples=500, regret_grid=8)
    t = sim.to_frame()
    assert list(t.columns) == ["metric", "value", "ci_low", "ci_high", "units", "n"]
    assert {"revenue", "welfare", "efficiency", "regret", "ir_violations"} <= set(t["metric"])
    assert (t["n"] == 500).all()
    res = latent.landscape("second_price,posted_unlimited", samples=200, revenue_samples=500,
                           lp=None)
    lf = res.to_wide_frame()
    assert len(lf) == 2 and {"W_1", "W_1_ci_low", "rho", "revenue_ci_high"} <= set(lf.columns)
    cells = [str(c) for c in lf.to_numpy().ravel()]
    assert not any(c.startswith(("[", "{", "(")) for c in cells)  # one value per cell
    long = res.to_frame()  # long: format × quantity, the papers' claims labelled as claims
    assert {"quantity", "value", "ci_low", "ci_high", "units", "claim"} <= set(long.columns)
    assert set(long["format"]) == {"second_price", "posted_unlimited"}
    sp = long[long["format"] == "second_price"].set_index("quantity")
    assert sp.loc["W_1", "value"] == res.rows[0].spectrum.energies[1]
    assert sp.loc["revenue", "claim"] == res.rows[0].format.claimed_revenue
    assert not any("seed" in c for c in long.columns)
    rep = latent.design(bidders=2, grid=6, lambdas=[0, 1], params=[0.0, 0.25, 0.5])
    df = rep.to_frame()
    assert len(df) == len(rep.design.candidates) and df["pareto"].dtype == bool
    assert rep.choices_frame()["lambda"].tolist() == [0.0, 1.0]


def test_landscape_csv_is_tidy(tmp_path):
    assert main(["landscape", "--formats", "second_price", "--samples", "200",
                 "--revenue-samples", "300", "--lp", "none", "--out", str(tmp_path),
                 "--quiet"]) == 0
    frame = pd.read_csv(tmp_path / "landscape.csv")
    assert frame["W_1"].dtype == float and frame["rho_ci_low"].dtype == float
    assert not any(str(c).startswith(("[", "{")) for c in frame.to_numpy().ravel())


def test_spectrum_text_shows_s1_and_st_per_input():
    s = latent.spectrum(ishigami, inputs=3, marginal=PI_LAW, method="quad", grid=12,
                        names=["x", "y", "z"])
    text = str(s)
    for name in "xyz":
        line = next(ln for ln in text.splitlines() if ln.strip().startswith(name + " "))
        assert "S1 =" in line and "ST =" in line


def test_plots_return_axes_and_leave_the_backend_alone(tmp_path):
    backend = matplotlib.get_backend()
    s = latent.spectrum(ishigami, inputs=3, marginal=PI_LAW, samples=300)
    res = latent.landscape("second_price", samples=200, revenue_samples=300, lp=None)
    rep = latent.design(bidders=2, grid=6, lambdas=[0])
    for obj in (s, res, rep):
        ax = obj.plot()
        assert isinstance(ax, matplotlib.axes.Axes)
    ax = s.plot()
    assert s.plot(ax=ax) is ax
    ax.figure.savefig(tmp_path / "s.png")
    assert (tmp_path / "s.png").stat().st_size > 1000
    assert matplotlib.get_backend() == backend


def test_results_are_frozen_and_cis_are_intervals():
    s = latent.spectrum(ishigami, inputs=3, marginal=PI_LAW, samples=300, max_grade=2)
    assert all(isinstance(c, ConfidenceInterval) for c in s.energies_ci)
    assert isinstance(s.variance_ci, ConfidenceInterval)
    fit = s.rho()
    assert fit.rho_ci is None or isinstance(fit.rho_ci, ConfidenceInterval)
    with pytest.raises(AttributeError, match="cannot assign to field 'method'"):
        s.method = "grid"
    with pytest.raises(TypeError, match="positional argument"):  # RhoFit is built by keyword
        RhoFit(1.0, None, (), (), (), None, 0.0, 0.0, 1.0, None, 0, 0.0, None, "x", "y")
    exact = grade_decay_rho([1.0, 0.25, 0.0625, 0.015625])
    assert exact.to_frame()["value"].tolist() == pytest.approx([2.0, 2.0])
    assert isinstance(exact.to_dict()["rho_ci"], list)


# ---- values against closed forms -----------------------------------------------------------


def test_ishigami_spectrum_matches_the_closed_form_on_u_minus_pi_pi():
    truth = ishigami_energies()
    q = latent.spectrum(ishigami, inputs=3, marginal=PI_LAW, method="quad", grid=30)
    np.testing.assert_allclose(q.energies[:3], truth[:3], rtol=1e-9)
    assert abs(q.energies[3]) < 1e-9
    # S1 and ST in closed form: V1/V, V2/V; ST_1 = (V1 + V13)/V, ST_3 = V13/V
    a, b, pi = 7.0, 0.1, math.pi
    v1 = 0.5 + b * pi**4 / 5 + b**2 * pi**8 / 50
    v2, v13 = a**2 / 8, 8 * b**2 * pi**8 / 225
    var = v1 + v2 + v13
    np.testing.assert_allclose(q.first_order, [v1 / var, v2 / var, 0.0], atol=1e-9)
    np.testing.assert_allclose(q.total, [(v1 + v13) / var, v2 / var, v13 / var], atol=1e-9)
    mc = latent.spectrum(ishigami, inputs=3, marginal=PI_LAW, samples=20_000, seed=1)
    for r in (1, 2):
        assert truth[r] in mc.energies_ci[r]
    # on U[0, 1] (the old README example) the spectrum is a different one
    wrong = latent.spectrum(ishigami, inputs=3, method="quad", grid=30)
    assert abs(wrong.energies[1] - truth[1]) > 1.0


@pytest.mark.parametrize("n", [2, 4])
def test_second_price_revenue_is_n_minus_1_over_n_plus_1(n):
    sim = latent.simulate("second_price", values="uniform", bidders=n, samples=40_000,
                          seed=n, regret=False)
    se = sim.revenue.half_width / 1.959964
    assert abs(sim.revenue.value - (n - 1) / (n + 1)) < 3.29 * se  # a 99.9% interval
    assert sim.efficiency.value == pytest.approx(1.0)


# ---- command-line spellings ----------------------------------------------------------------


def test_deprecated_aliases_warn_and_agree(capsys):
    base = ["simulate", "--mechanism", "second_price", "--values", "uniform", "--bidders", "2",
            "--samples", "300", "--no-regret"]
    new, err = cli_json(capsys, *base, "--executor", "local")
    assert "deprecated" not in err
    old, err = cli_json(capsys, *base, "--engine", "local")
    assert "--engine is deprecated" in err and old == new
    base = ["landscape", "--formats", "posted_unlimited", "--samples", "200", "--lp", "none"]
    new, _ = cli_json(capsys, *base, "--revenue-samples", "300")
    old, err = cli_json(capsys, *base, "--rev-samples", "300")
    assert "--rev-samples is deprecated" in err
    assert untimed(old) == untimed(new)


def test_help_texts_cite_no_private_documents(capsys):
    for cmd in ("spectrum", "simulate", "landscape", "design"):
        with pytest.raises(SystemExit, match="^0$"):
            main([cmd, "--help"])
        text = capsys.readouterr().out
        for bad in ("seed 000", "seed 001", "§", "DESIGN", "../shared"):
            assert bad not in text, (cmd, bad)


def test_engine_progress_counts_samples(capsys):
    def task(seq, size):
        return Moments.of(np.random.default_rng(seq).random((size, 1)))

    run(task, 1000, 1, EngineConfig(batch_size=250, progress=True))
    err = capsys.readouterr().err
    assert "/1000 " in err and "sample" in err  # the total is samples, not the 4 batches
