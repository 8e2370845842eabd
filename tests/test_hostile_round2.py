"""Issue 25's hostile inputs, each a regression test: a silent wrong number, a traceback, an
unbounded request or a message that did not name the problem. The command lines run
in-process through their own entry point (exit status 2, one ``error:`` line on stderr naming
the flag); the Python API raises a ValueError naming the argument."""

from __future__ import annotations

import pytest

import latent
from latent.__main__ import main


def _refused(capsys, argv, expected: str) -> str:
    """Run ``python -m latent ARGV`` in-process: exit 2, nothing on stdout, exactly one stderr
    line, which starts with ``error: `` + ``expected``."""
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert not out, out
    assert err.count("\n") == 1, err
    assert err.startswith("error: " + expected), err
    return err


# --- value-law parameters: named by flag, law and parameter, with the accepted form ---

SIM = ["simulate", "--mechanism", "second_price", "--bidders", "2", "--samples", "100",
       "--no-regret", "--executor", "inline", "--quiet"]


@pytest.mark.parametrize(("law", "expected"), [
    ("beta:-1:2", "beta: A=-1.0: must be > 0.0 (beta:A:B with A > 0 and B > 0)"),
    ("beta:0:0", "beta: A=0.0: must be > 0.0"),
    ("beta:2:0", "beta: B=0.0: must be > 0.0"),
    ("lognormal:0:-1", "lognormal: SIGMA=-1.0: must be > 0.0 (lognormal:MU:SIGMA with"),
    ("lognormal:1000:1", "lognormal: MU=1000: values of about e^MU overflow"),
    ("censnorm:-1", "censnorm: SIGMA=-1.0: must be > 0.0 (censnorm:SIGMA with SIGMA > 0)"),
    ("exponential:0", "exponential: RATE=0.0: must be > 0.0"),
    ("uniform:0:1e999", "uniform: B=inf: must be a finite number"),
    ("uniform:2:1", "uniform: A=2, B=1: need A < B"),
    ("truncnorm:0:0:0:1", "truncnorm: SIGMA=0.0: must be > 0.0"),
    ("latent:0", "latent: D=0.0: must be an integer ≥ 1"),
    ("latent:1e999", "latent: D=inf: must be an integer"),
    ("latent:1:-1", "latent: SIGMA_Z=-1.0: must be ≥ 0.0"),
])
def test_value_law_parameters_are_named(capsys, law, expected):
    _refused(capsys, [*SIM, "--values", law], f"--values {law!r}: {expected}")
    with pytest.raises(ValueError, match=f"^values={law!r}: " + expected[:20].replace(
            "(", r"\(").replace("^", r"\^")):
        latent.simulate("second_price", values=law, bidders=2, samples=100, regret=False,
                        executor="inline")


@pytest.mark.parametrize(("argv", "flag"), [
    (["spectrum", "--function", "numpy:sum", "--inputs", "2", "--method", "mc",
      "--samples", "400", "--marginal", "beta:-1:2"], "--marginal"),
    (["spectrum", "--mechanism", "second_price", "--bidders", "2", "--samples", "400",
      "--values", "beta:-1:2"], "--values"),
    (["design", "--bidders", "2", "--grid", "6", "--lp-grid", "3", "--values", "beta:-1:2"],
     "--values"),
    (["learn", "--bidders", "2", "--trials", "1", "--values", "beta:-1:2"], "--values"),
    (["landscape", "--formats", "second_price", "--bidders", "2", "--values", "beta:-1:2"],
     "--values"),
])
def test_every_subcommand_names_the_law_parameter(capsys, argv, flag):
    # one parser for every subcommand: no "f returned non-finite values", no "every candidate
    # is a constant rule", no scipy "Domain error"
    _refused(capsys, argv, f"{flag} 'beta:-1:2': beta: A=-1.0: must be > 0.0")


# --- GSP click-through rates ---

@pytest.mark.parametrize(("ctrs", "expected"), [
    ("-1,0.5", "rate 1 = -1.0: must be ≥ 0.0 (click-through rates: numbers in [0, 1]"),
    ("inf,1", "rate 1 = inf: must be a finite number"),
    ("0.5,1", "rate 2 = 1 is larger than rate 1 = 0.5: must be non-increasing"),
    ("a,b", "rate 1 = 'a': not a number"),
    (",", "give at least one number"),
])
def test_gsp_click_through_rates_are_checked(capsys, ctrs, expected):
    argv = ["simulate", "--mechanism", "gsp", "--values", "uniform", "--bidders", "3",
            "--samples", "100", "--no-regret", "--executor", "inline", "--quiet"]
    _refused(capsys, [*argv, f"--ctrs={ctrs}"], f"--ctrs {ctrs!r}: {expected}")


@pytest.mark.parametrize(("ctrs", "expected"), [
    ("nan", "--ctrs nan: must be a finite number (click-through rates"),
    ("1.5", "--ctrs 1.5: must be ≤ 1.0 (click-through rates"),
])
def test_one_gsp_rate_is_reported_as_itself(capsys, ctrs, expected):
    argv = ["simulate", "--mechanism", "gsp", "--values", "uniform", "--bidders", "3",
            "--samples", "100", "--no-regret", "--executor", "inline", "--quiet"]
    _refused(capsys, [*argv, f"--ctrs={ctrs}"], expected)


def test_gsp_negative_rates_refused_by_the_api():
    with pytest.raises(ValueError, match=r"^ctrs=\[-1, 0\.5\]: rate 1 = -1: must be ≥ 0\.0"):
        latent.simulate("gsp", ctrs=[-1, 0.5], bidders=3, samples=100, regret=False,
                        executor="inline")


def test_gsp_valid_rates_give_the_textbook_revenue():
    # GSP with rates (1, 1/2), 3 iid U[0,1] bidders: slot 1 pays the 2nd value, slot 2 pays
    # half the 3rd: E = 1/2 + 1/2 · 1/4 = 5/8 (independent oracle: order statistics)
    sim = latent.simulate("gsp", ctrs="1,0.5", bidders=3, samples=20_000, regret=False,
                          executor="inline", seed=3)
    assert sim.revenue.ci.low < 5 / 8 < sim.revenue.ci.high


# --- Monte Carlo spectra: the label says the level the intervals were made at ---

@pytest.mark.parametrize("estimator", ["mc", "owen"])
def test_spectrum_intervals_are_labelled_with_their_level(estimator):
    from scipy import stats

    from latent.anova.mc import grade_spectrum_mc
    from latent.anova.owen import grade_spectrum_owen

    def f(x):
        return x[:, 0] * x[:, 1] + x[:, 0]

    def run(level):
        if estimator == "mc":
            return grade_spectrum_mc(f, stats.uniform(), 2, samples=2000, seed=1,
                                     confidence=level)
        return grade_spectrum_owen(f, stats.uniform(), 2, evaluations=20_000, seed=1,
                                   confidence=level)

    lo, hi = run(0.8), run(0.95)
    assert lo.level == 0.8 and hi.level == 0.95
    cis = [*lo.energies_ci, *lo.first_order_ci, *lo.total_ci, lo.variance_ci, lo.tail_ci]
    assert {c.level for c in cis} == {0.8}
    # same draws, so the half widths scale exactly as the quantiles (normal for mc,
    # Student t with replicates − 1 degrees of freedom for owen's 4 replicates)
    q = (stats.norm.ppf if estimator == "mc" else stats.t(3).ppf)
    ratio = q(0.9) / q(0.975)
    for w, a, b in zip(lo.energies[1:], lo.energies_ci[1:], hi.energies_ci[1:], strict=True):
        if estimator == "mc":
            assert (a.high - a.low) / (b.high - b.low) == pytest.approx(ratio, rel=1e-9)
            continue
        # owen: the near end at q·se, the far end moved out by the skewness term
        # γ/(6√n)·(2q² + 1)·se (latent.anova.owen.skew_extension)
        near_a, near_b = min(w - a.low, a.high - w), min(w - b.low, b.high - w)
        assert near_a / near_b == pytest.approx(ratio, rel=1e-9)
        far_a, far_b = max(w - a.low, a.high - w), max(w - b.low, b.high - w)
        assert (far_a - near_a) / (far_b - near_b) == pytest.approx(
            (2 * q(0.9) ** 2 + 1) / (2 * q(0.975) ** 2 + 1), rel=1e-9)
    assert "80%" in lo.ci_method


# --- optimal: values beyond the float LP's range ---

@pytest.mark.parametrize(("argv", "expected"), [
    (["--a", "1", "--b", "1e308"], "--b 1e+308: values up to 1e+308, beyond 1e+15"),
    (["--a", "1e16", "--b", "2e16"], "--a 1e+16: values up to 1e+16, beyond 1e+15"),
    (["--setting", "discrete", "--values", "discrete:1,1e300:1/2,1/2"],
     "--values 'discrete:1,1e300:1/2,1/2': values up to 1e+300"),
])
def test_optimal_refuses_values_beyond_the_float_lp(capsys, argv, expected):
    _refused(capsys, ["optimal", *argv], expected)


def test_optimal_api_refuses_huge_values():
    with pytest.raises(ValueError, match=r"^b=1e\+308: values up to 1e\+308, beyond 1e\+15: "
                                         r"the LP is solved in floats first; rescale"):
        latent.optimal(a=1, b=1e308)


def test_optimal_reports_a_failed_expost_lp_instead_of_crashing():
    # b/a = 1e12 is within the accepted range, but HiGHS finds the ex-post (DSIC) LP
    # unbounded there: the comparison says so (it raised IndexError before)
    r = latent.optimal(a=1, b=10**12)
    # BIC, verified: posting b on each of the 2 items, sold when one of 2 bidders is high
    # (probability 3/4), is optimal at this spread: 2 · b · 3/4
    assert r.revenue == 2 * 10**12 * 3 // 4
    dsic = r.comparison["dsic"]
    assert dsic.certificate.status != "verified"


# --- the companion script: one line, exit 2, before the proofs run ---

@pytest.mark.parametrize(("argv", "expected"), [
    (["--latex", "missing_dir/t.tex"], "--latex missing_dir/t.tex: folder 'missing_dir' does "
                                       "not exist"),
    (["--latex=missing_dir/t.tex"], "--latex missing_dir/t.tex: folder 'missing_dir'"),
    (["--bogus"], "unrecognized arguments: --bogus (see mechanism_design_proof.py --help)"),
    (["--timeout", "x"], "argument --timeout: invalid int value: 'x'"),
])
def test_companion_script_refuses_in_one_line(capsys, tmp_path, monkeypatch, argv, expected):
    import argparse

    import mechanism_design_proof

    monkeypatch.chdir(tmp_path)
    error = argparse.ArgumentParser.error
    assert mechanism_design_proof.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: " + expected), err
    assert argparse.ArgumentParser.error is error  # the one-line errors were for that call
    assert not list(tmp_path.iterdir())


def test_companion_script_as_a_process_prints_one_line():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    res = subprocess.run([sys.executable, str(root / "mechanism_design_proof.py"), "--bogus"],
                         capture_output=True, text=True, cwd=root, timeout=120)
    assert res.returncode == 2
    assert res.stderr == ("error: unrecognized arguments: --bogus (see "
                          "mechanism_design_proof.py --help)\n")


# --- spectrum of a function that overflows or leaves its domain: refused by name ---

@pytest.mark.parametrize(("argv", "expected"), [
    (["--function", "numpy:exp", "--marginal", "uniform:0:1000", "--method", "grid",
      "--json"], "--function 'numpy:exp': returned 1.009e+190 at (62.5, 437.5) (80 of 128 "
                 "values non-finite or beyond 1e+150)"),
    (["--function", "numpy:log", "--marginal", "uniform:-1:0", "--method", "grid"],
     "--function 'numpy:log': returned nan at (-0.9375, -0.9375) (128 of 128 values"),
    (["--function", "numpy:log", "--marginal", "uniform:-1:0", "--method", "mc"],
     "--function 'numpy:log': returned nan at"),
    (["--function", "numpy:exp", "--marginal", "uniform:0:1000", "--method", "quad"],
     "--function 'numpy:exp': returned"),
    (["--function", "numpy:sum", "--method", "grid"],
     "--function 'numpy:sum': returned shape () for a batch of 64 points"),
])
def test_spectrum_refuses_non_finite_function_values(capsys, argv, expected):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning may escape before the refusal
        _refused(capsys, ["spectrum", "--inputs", "2", *argv], expected)  # and no JSON


def test_spectrum_api_refuses_non_finite_values():
    import numpy as np

    with pytest.raises(ValueError, match=r"^function='log': returned nan at"):
        latent.spectrum(np.log, inputs=2, marginal="uniform:-1:0", method="grid", grid=4)


# --- VCG by assignment: costed per profile, and no (N+1)^M enumeration behind unit demand ---

def test_unit_demand_vcg_is_costed_per_solver_run(capsys):
    # 3 bidders × 30 unit-demand items: 4 assignment problems per outcome; the misreport
    # search makes 595 200 outcomes of 100 profiles (ran > 120 s with no refusal)
    _refused(capsys, ["simulate", "--mechanism", "vcg", "--values", "uniform", "--bidders", "3",
                      "--items", "30", "--item-kind", "unit_demand", "--samples", "100",
                      "--executor", "inline", "--quiet", "--max-work", "1e10"],
             "--regret-grid 64: too large: about 2.92e+10 evaluations (100 samples × 3 "
             "bidders searched × 64 grid points × 31 moves")
    err_line = _refused(capsys, ["simulate", "--mechanism", "vcg", "--values", "uniform",
                                 "--bidders", "3", "--items", "30", "--item-kind",
                                 "unit_demand", "--samples", "10000", "--no-regret",
                                 "--executor", "inline", "--quiet", "--max-work", "1e8"],
                        "--samples 10000: too large")
    assert "per outcome (vcg_assignment)" in err_line


def test_unit_demand_assignments_without_enumerating_all_maps():
    import itertools

    import numpy as np

    from numerics.mechanisms.multi import _assignments, enumerated_assignments

    for n, m in [(2, 3), (3, 4), (1, 3), (4, 2)]:
        every = itertools.product(range(-1, n), repeat=m)
        oracle = [a for a in every if len([i for i in a if i >= 0])
                  == len({i for i in a if i >= 0})]
        assert np.array_equal(_assignments(n, m, True), np.asarray(oracle))  # same order
    # 3 × 30: 27 061 unit-demand assignments, welfare by the assignment solver instead
    assert enumerated_assignments(None, 3, 30, "unit_demand") == 0


def test_spectrum_digits_are_costed_as_mpmath_products(capsys):
    # grid 200, N = 3 at 50 digits: 4.8e9 mpmath products of ~7 us each (ran past 120 s and
    # held 2.8 GB; the model counted each as one float operation)
    _refused(capsys, ["spectrum", "--function", "latent.anova.testfunctions:ishigami",
                      "--inputs", "3", "--method", "grid", "--grid", "200", "--digits", "50"],
             "--digits 50: too large: about 3.4e+12 evaluations (4.82e+09 mpmath products "
             "at 50 digits)")


# --- files: the same mistake, the same kind of error (a ValueError naming the argument) ---

def test_missing_instance_and_unwritable_appendix_are_value_errors(tmp_path):
    from latent.data.reader import DataError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ValueError, match=r"^instance='missing\.json': no such file or dir"):
        latent.efficient("missing.json")
    with pytest.raises(ValueError, match=r"^out='.*file/sub': not a directory"):
        latent.appendix(out=str(blocker / "sub"), pdf=False)
    with pytest.raises(DataError, match="no such file: missing.csv"):
        latent.estimate_rho("missing.csv")  # the convention the others now follow


def test_efficient_honours_max_memory(capsys):
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "examples" / "efficient_seed002_section3.json"
    _refused(capsys, ["efficient", str(example), "--max-memory", "1"],
             f"--instance {str(example)!r}: too large: about 2.5e+06 bytes held at once, more "
             "than --max-memory 1")


# --- learn --sampler optuna: refused naming the extra when it is missing ---

@pytest.mark.parametrize("installed", [False, True])
def test_learn_optuna_sampler_is_what_runs(monkeypatch, capsys, installed):
    import sys

    import latent.api.learn as api_learn

    monkeypatch.setattr(api_learn, "optuna_available", lambda: installed)
    monkeypatch.setitem(sys.modules, "optuna", None)  # importing it fails either way
    # without the extra: refused before any work; "installed" but unimportable: refused when
    # the sweep builds its sampler (never a random search stored as an optuna study)
    _refused(capsys, ["learn", "--values", "uniform", "--bidders", "2", "--trials", "1",
                      "--families", "posted_price", "--train", "300", "--valid", "300",
                      "--test-samples", "300", "--regret-samples", "0", "--no-baselines",
                      "--sampler", "optuna", "--quiet"],
             "--sampler 'optuna': Optuna is not installed (the optional extra: pip install "
             "'.[learn]'); install it or use sampler 'random'")


# --- argument kinds and the argument a refusal blames ---

def test_lists_given_as_numbers_are_named():
    with pytest.raises(TypeError, match=r"^formats=3: a format name, 'a,b' or a list of names"):
        latent.landscape(formats=3)
    with pytest.raises(TypeError, match=r"^families=3: a family name, 'a,b' or a list"):
        latent.learn(values="uniform", bidders=2, families=3)


def test_design_blames_bins_not_scale_bidders():
    with pytest.raises(ValueError, match=r"^bins=1000000000000: too large: .*lower bins or"):
        latent.design(bins=10**12, scale_bidders=4)
    with pytest.raises(ValueError, match=r"^scale_bidders=10000000000: too large"):
        latent.design(bins=16, scale_bidders=10**10)


# --- simulate: what the message names ---

def test_simulate_callable_and_out_folder(capsys, tmp_path):
    base = ["simulate", "--values", "uniform", "--bidders", "2", "--samples", "100",
            "--executor", "inline", "--quiet"]
    _refused(capsys, [*base, "--mechanism", "callable"],
             "--mechanism 'callable': callable: needs allocation= and payments= functions")
    _refused(capsys, [*base, "--mechanism", "second_price", "--out", str(tmp_path)],
             f"--out {tmp_path}: is a folder; name a file in it")
    _refused(capsys, [*base, "--mechanism", "second_price", "--out",
                      str(tmp_path / "no" / "x.csv")],
             f"--out {tmp_path / 'no' / 'x.csv'}: folder")
    assert not list(tmp_path.iterdir())  # no temporary .part file left behind


def test_atomic_path_names_the_target_not_the_temporary_file(tmp_path):
    from numerics.atomic import atomic_path

    with pytest.raises(IsADirectoryError, match=r"Is a directory: '.*'") as info:
        with atomic_path(tmp_path) as tmp:
            open(tmp, "w").close()
    assert info.value.filename == str(tmp_path)
    assert not [p for p in tmp_path.parent.iterdir() if p.name.endswith(".part")]


# --- found by the hostile harness ---

def test_harness_findings(capsys):
    # a law whose quantile grid is one point: design blamed no flag
    _refused(capsys, ["design", "--bidders", "2", "--grid", "6", "--lp-grid", "3", "--values",
                      "lognormal:0:1e-320"],
             "--values 'lognormal:0:1e-320': every candidate is a constant rule")
    # latent-factor sigmas whose squares overflow: a traceback in the audit
    _refused(capsys, [*SIM, "--values", "latent:1:1:1e308"],
             "--values 'latent:1:1:1e308': latent: SIGMA_EPS=1e+308: must be ≤ 1e+150")
