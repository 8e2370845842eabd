"""numerics.learn optimisation, sweep and CLI: Myerson recovered on iid regular values within
the CI, resumable SQLite sweeps, exports, the Optuna fallback, CI coverage, bad input."""

from __future__ import annotations

import csv
import json
import sys

import numpy as np
import pytest
from stat_rules import assert_coverage, min_seeds

from latent.__main__ import main
from numerics.learn import Family, SweepConfig, evaluate, export, fit, run_sweep, trials
from numerics.learn.evaluate import paired_difference
from numerics.learn.families import ReserveSecondPrice
from numerics.learn.optimise import best_posted_price
from numerics.learn.sweep import connect, make_sampler
from numerics.valuations import Exponential, Uniform, iid
from numerics.valuations.profiles import LatentFactorProfile

MYERSON = {"uniform": 3 / 5 + 1 / 80, "exponential": 1.1273163}  # exact (Myerson 1981)


def _train(prof, n, seed):
    return prof.sample(np.random.default_rng(np.random.SeedSequence(seed)), n)


@pytest.mark.parametrize("dist", ["uniform", "exponential"])
def test_optimised_reserve_recovers_myerson_revenue(dist):
    prof = iid(Uniform() if dist == "uniform" else Exponential(), 4)
    fam = Family("reserve_second_price", prof)
    res = fit(fam, _train(prof, 20_000, 11), tau_steps=2, maxiter=80)
    assert np.allclose(res.theta, 0.5 if dist == "uniform" else 1.0, atol=0.2)
    ev = evaluate(fam.build(res.theta), prof, 300_000, 0, seed=12)
    lo, hi = ev.revenue.ci
    assert lo <= MYERSON[dist] <= hi


def test_affine_maximizer_recovers_myerson_on_uniform():
    prof = iid(Uniform(), 4)
    fam = Family("affine_maximizer", prof)
    res = fit(fam, _train(prof, 20_000, 13), tau_steps=2, maxiter=60)
    # paired with Myerson on the same profiles: no significant loss, and at most 0.2%
    d = paired_difference(fam.build(res.theta), ReserveSecondPrice((0.5,) * 4), prof, 300_000, 14)
    assert d.ci[1] >= 0.0 and d.ci[0] > -0.002 * MYERSON["uniform"]


def test_posted_price_fit_matches_closed_form_optimum():
    """One price to n U[0,1] bidders: max p(1 − p^n) at p = (n+1)^(−1/n)."""
    prof = iid(Uniform(), 4)
    p = best_posted_price(_train(prof, 200_000, 15)[:, :, 0])
    assert p == pytest.approx(5 ** -0.25, abs=0.02)


def test_fit_never_worse_than_start_on_training_sample():
    prof = LatentFactorProfile(4, 1, 1.0, 0.05, 1)
    v = _train(prof, 5000, 16)
    for name in ("reserve_second_price", "sequential_posted_price", "lookahead"):
        r = fit(Family(name, prof), v, tau_steps=1, maxiter=30)
        assert r.train_revenue >= r.start_revenue - 1e-12


def test_evaluation_ci_covers_exact_revenue_over_seeds():
    """Second price, reserve ½, two U[0,1] bidders: revenue 5/12 exactly."""
    mech = ReserveSecondPrice((0.5, 0.5))
    prof = iid(Uniform(), 2)
    seeds = min_seeds(0.95, 0.90)
    cis = (evaluate(mech, prof, 2000, 0, seed=s).revenue.ci for s in range(seeds))
    assert_coverage(sum(lo <= 5 / 12 <= hi for lo, hi in cis), seeds)


CFG = dict(values="uniform", bidders=3, train=3000, valid=3000, maxiter=25,
           families=("reserve_second_price", "posted_price", "lookahead"))


def test_sweep_is_resumable_and_reproducible(tmp_path):
    prof = iid(Uniform(), 3)
    db = f"sqlite:///{tmp_path / 'runs.db'}"
    run_sweep(SweepConfig(trials=4, **CFG), prof, db).close()
    con = run_sweep(SweepConfig(trials=7, **CFG), prof, db)
    resumed = [(t["number"], t["family"], t["valid_revenue"]) for t in trials(con)]
    con.close()
    fresh_con = run_sweep(SweepConfig(trials=7, **CFG), prof, ":memory:")
    fresh = [(t["number"], t["family"], t["valid_revenue"]) for t in trials(fresh_con)]
    assert resumed == fresh and len(fresh) == 7
    assert [f for _, f, _ in fresh[:3]] == list(CFG["families"])
    # the warm-start cache holds each family's best validated θ
    ws = dict(fresh_con.execute("SELECT family, valid_revenue FROM warmstart").fetchall())
    for fam in CFG["families"]:
        assert ws[fam] == max(v for _, f, v in fresh if f == fam)


def test_export_csv_and_json(tmp_path):
    con = run_sweep(SweepConfig(trials=3, **CFG), iid(Uniform(), 3), ":memory:")
    n = export(con, tmp_path / "t.csv", tmp_path / "t.json")
    rows = list(csv.DictReader(open(tmp_path / "t.csv")))
    js = json.loads((tmp_path / "t.json").read_text())
    assert n == len(rows) == len(js) == 3
    assert float(rows[0]["valid_revenue"]) == js[0]["valid_revenue"]
    assert js[1]["family"] == "posted_price" and len(js[1]["theta"]) == 1


def test_optuna_missing_is_refused_not_replaced(monkeypatch):
    # a random search stored under a study that says optuna would misrecord what ran
    monkeypatch.setitem(sys.modules, "optuna", None)  # import optuna → ImportError
    cfg = SweepConfig(trials=2, sampler="optuna", **CFG)
    with pytest.raises(ValueError, match=r"^sampler='optuna': Optuna is not installed \(the "
                                         r"optional extra: pip install '\.\[learn\]'\)"):
        make_sampler(cfg)
    with pytest.raises(ValueError, match="Optuna is not installed"):
        run_sweep(cfg, iid(Uniform(), 3))
    with pytest.raises(ValueError, match="unknown sampler 'grid'"):
        make_sampler(SweepConfig(sampler="grid", **CFG))


def test_optuna_sampler_when_installed():
    # Runs only where the optional extra is installed (pip install ".[learn]").
    pytest.importorskip("optuna")
    cfg = SweepConfig(trials=3, sampler="optuna", **CFG)
    con = run_sweep(cfg, iid(Uniform(), 3))
    logged = trials(con)
    assert len(logged) == 3 and {t["sampler"] for t in logged} == {"optuna"}
    # Same seed, same trials: the TPE sampler is seeded from the study seed.
    again = trials(run_sweep(cfg, iid(Uniform(), 3)))
    assert [t["valid_revenue"] for t in again] == [t["valid_revenue"] for t in logged]


def _cli(capsys, argv):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_json_keys_and_exports(capsys, tmp_path):
    db = tmp_path / "r.db"
    code, out, _ = _cli(capsys, [
        "learn", "--values", "uniform", "--bidders", "3", "--trials", "2", "--families",
        "reserve_second_price,posted_price", "--train", "2000", "--valid", "2000",
        "--test-samples", "5000", "--regret-samples", "50", "--seed", "1", "--json",
        "--storage", f"sqlite:///{db}", "--export-csv", str(tmp_path / "e.csv"),
        "--spectrum", "--spectrum-samples", "500", "--plot", str(tmp_path / "p.png"),
    ])  # fmt: skip
    assert code == 0
    js = json.loads(out)
    assert {"config", "evaluations", "best_trials", "n_trials", "storage", "spectra"} <= set(js)
    names = [e["mechanism"] for e in js["evaluations"]]
    assert names == ["reserve_second_price", "posted_price", "vickrey", "myerson"]
    for e in js["evaluations"]:
        assert e["regret"]["mean"] == 0.0 and e["ir_violations"]["mean"] == 0.0
        assert e["revenue"]["ci"][0] <= e["revenue"]["mean"] <= e["revenue"]["ci"][1]
    assert "rho" in js["spectra"]["vickrey"]
    assert (tmp_path / "e.csv").exists() and (tmp_path / "p.png").stat().st_size > 0
    assert len(trials(connect(f"sqlite:///{db}"))) == 2


@pytest.mark.parametrize("argv, msg", [
    (["--values", "nope", "--bidders", "3"], "unknown distribution"),
    (["--values", "uniform", "--bidders", "0"], "--bidders"),
    (["--values", "uniform", "--bidders", "2", "--families", "foo"], "--families"),
    (["--values", "uniform", "--bidders", "2", "--storage", "postgres://x"], "sqlite"),
    (["--values", "uniform", "--bidders", "2", "--train", "1"], "--train"),
])  # fmt: skip
def test_cli_bad_input_is_one_line_exit_2(capsys, argv, msg):
    code, _, err = _cli(capsys, ["learn", *argv, "--trials", "1"])
    assert code == 2
    assert err.startswith("error:") and msg in err and err.count("\n") == 1


def test_study_keyed_by_everything_that_changes_its_meaning(tmp_path):
    """A second run on the same storage with other families (or validation size) must not
    report the first run's trials as its own: it is another study."""
    import latent

    storage = f"sqlite:///{tmp_path / 'runs.db'}"
    common = dict(values="uniform", bidders=2, trials=1, train=300, test_samples=1000,
                  regret_samples=0, baselines=False, storage=storage, seed=3)
    first = latent.learn(families=["posted_price"], valid=300, **common)
    second = latent.learn(families=["reserve_second_price"], valid=300, **common)
    third = latent.learn(families=["posted_price"], valid=400, **common)
    assert [e.mechanism for e in first.evaluations] != [e.mechanism for e in second.evaluations]
    assert len({first.study, second.study, third.study}) == 3
    assert second.to_dict()["n_trials"] == 1 and third.to_dict()["n_trials"] == 1
    again = latent.learn(families=["posted_price"], valid=300, **common)  # resumes the first
    assert again.study == first.study and again.to_dict()["n_trials"] == 1


def test_latent_factor_tastes_do_not_depend_on_the_sampling_seed():
    import latent

    kw = dict(values="latent:2", bidders=3, trials=1, families=["posted_price"], train=300,
              valid=300, test_samples=1000, regret_samples=0, baselines=False)
    a, b = latent.learn(seed=1, **kw), latent.learn(seed=2, **kw)
    c = latent.learn(seed=1, taste_seed=5, **kw)
    assert a.to_dict()["profile"] == b.to_dict()["profile"] != c.to_dict()["profile"]
