"""The one-call API for optimal, frontier, efficient, learn (appendix: tests/test_appendix.py):
each function against its command line, exact values against independent oracles, argument
errors that name the argument, result shapes, plots without pyplot, seeds, deprecated flags."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction as F
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.axes import Axes

import latent
from latent.__main__ import build_parser, main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "efficient_seed002_section3.json"
UNIFORM4 = "discrete:1,2,3,4:1/4,1/4,1/4,1/4"
LEARN = dict(values="uniform", bidders=2, trials=2, families="reserve_second_price,posted_price",
             train=1000, valid=1000, test_samples=3000, regret_samples=20, seed=3)


def _untimed(obj):
    """A document without wall-clock ``seconds`` fields (the only part that varies)."""
    if isinstance(obj, dict):
        return {k: _untimed(v) for k, v in obj.items() if k != "seconds"}
    if isinstance(obj, list):
        return [_untimed(v) for v in obj]
    return obj


def _cli_json(capsys, argv):
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _flags(kwargs):
    out = []
    for k, v in kwargs.items():
        flag = "--" + k.replace("_", "-")
        if v is True:
            out.append(flag)
        elif v is not False:
            out += [flag, str(v)]
    return out


# --- oracles, computed here in Fractions without the LP code ---------------------------------

def myerson_oracle(values, probs, n):
    """E[max_i φ(v_i)^+] for n iid bidders on a discrete law with nondecreasing virtual values
    φ_k = v_k − (v_{k+1} − v_k)·P(V > v_k)/P(V = v_k) (Myerson 1981 on a grid)."""
    k = len(values)
    tail = [sum(probs[j + 1:], F(0)) for j in range(k)]
    phi = [values[j] - ((values[j + 1] - values[j]) * tail[j] / probs[j] if j + 1 < k else 0)
           for j in range(k)]
    assert phi == sorted(phi), "oracle needs a regular law"
    rev = F(0)
    for prof in itertools.product(range(k), repeat=n):
        p = F(1)
        for j in prof:
            p *= probs[j]
        rev += p * max(F(0), max(phi[j] for j in prof))
    return rev


def posted_price_oracle(values, probs):
    return max(v * sum(probs[j:], F(0)) for j, v in enumerate(values))


V4, P4 = [F(1), F(2), F(3), F(4)], [F(1, 4)] * 4


# --- API against the command line -----------------------------------------------------------

@pytest.mark.parametrize("kwargs", [
    dict(setting="yao", bidders=2, items=2, p="1/3", a=1, b=3),
    dict(setting="yao", bidders=2, items=2, dsic=True),
    dict(setting="discrete", values=UNIFORM4, bidders=2, items=1),
    dict(setting="discrete", values="discrete:1,2:1/2,1/2", bidders=1, items=2,
         bundling_shift=True),
])  # fmt: skip
def test_optimal_api_equals_cli(capsys, kwargs):
    api = latent.optimal(**kwargs)
    assert _untimed(api.to_dict()) == _untimed(_cli_json(capsys, ["optimal", *_flags(kwargs)]))
    assert main(["optimal", *_flags(kwargs)]) == 0
    assert capsys.readouterr().out.strip() == str(api).strip()


def test_frontier_api_equals_cli(capsys):
    kwargs = dict(bidders=3, values=UNIFORM4, grid=4, grades="1,3")
    api = latent.frontier(**kwargs)
    assert _untimed(api.to_dict()) == _untimed(_cli_json(capsys, ["frontier", *_flags(kwargs)]))
    assert api.grades == [1, 3]


def test_efficient_api_equals_cli(capsys):
    api = latent.efficient(EXAMPLE, verify_all=True, samples=5, seed=4)
    cli = _cli_json(capsys, ["efficient", str(EXAMPLE), "--verify-all", "--samples", "5",
                             "--seed", "4"])
    assert api.to_dict() == cli
    assert main(["efficient", str(EXAMPLE), "--agent", "1"]) == 0
    assert capsys.readouterr().out.strip() == str(latent.efficient(EXAMPLE, agent="1")).strip()


def test_learn_api_equals_cli(capsys):
    api = latent.learn(**LEARN, spectrum=True, spectrum_samples=300)
    cli = _cli_json(capsys, ["learn", *_flags(LEARN), "--spectrum", "--spectrum-samples",
                             "300", "--quiet"])
    assert _untimed(api.to_dict()) == _untimed(cli)
    frame = api.to_frame()
    assert frame["mechanism"].unique().tolist() == ["reserve_second_price", "posted_price",
                                                    "vickrey", "myerson"]
    assert {"revenue", "regret", "ir_violations", "rho"} <= set(frame["metric"])
    rev = frame[frame["metric"] == "revenue"]
    assert (rev["ci_low"] <= rev["value"]).all() and (rev["value"] <= rev["ci_high"]).all()


# --- exact values against oracles -------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 3])
def test_optimal_reproduces_myerson_on_a_uniform_grid(n):
    r = latent.optimal(setting="discrete", values=UNIFORM4, bidders=n, items=1)
    assert r.certificate == "verified"
    assert isinstance(r.revenue, F) and r.revenue == myerson_oracle(V4, P4, n)
    assert F(r.to_dict()["revenue"]) == r.revenue  # "p/q" in the JSON document
    assert str(r.revenue) in str(r)


def test_frontier_endpoints():
    f = latent.frontier(bidders=3, values=UNIFORM4, grid=4)
    assert f.optimum == myerson_oracle(V4, P4, 3) == f.revenues[-1]
    assert f.revenues == sorted(f.revenues) and f.revenues[0] < f.optimum
    # one bidder: grade 1 is the whole space, and the optimum is the best posted price
    one = latent.frontier(bidders=1, values=UNIFORM4, grid=4)
    assert one.revenues == [posted_price_oracle(V4, P4)] == [one.optimum]
    assert one.to_frame().loc[0, "ratio"] == 1.0


def test_frontier_zero_optimum_is_guarded():
    f = latent.frontier(bidders=2, values="discrete:0:1", grid=1)
    assert f.optimum == 0 and all(np.isnan(p.ratio) for p in f.frontier.points)
    assert json.dumps(f.to_dict())  # NaN becomes null, not an invalid JSON token


def test_efficient_example_payments():
    r = latent.efficient(EXAMPLE)
    assert r.payments["1"] == {"vcg": 1, "weakest_type": 2, "optimal": 4}
    assert all(isinstance(v, F) for v in r.payments["1"].values())
    assert r.revenue["optimal"] == 4 and "VCG 1   weakest type 2   optimal 4" in str(r)


# --- arguments --------------------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda: latent.optimal(agents=2),
    lambda: latent.frontier(bidders=2, seed=1),
    lambda: latent.efficient(EXAMPLE, sample=3),
    lambda: latent.learn(values="uniform", bidders=2, rev_samples=5),
])  # fmt: skip
def test_unknown_keyword_is_a_type_error_naming_it(call):
    with pytest.raises(TypeError, match="agents|seed|sample|rev_samples"):
        call()


@pytest.mark.parametrize("call, name", [
    (lambda: latent.optimal(p=float("nan")), "p"),
    (lambda: latent.optimal(bidders=-1), "bidders"),
    (lambda: latent.optimal(setting="trinary"), "setting"),
    (lambda: latent.optimal(formulation="dual"), "formulation"),
    (lambda: latent.optimal(setting="discrete", values="discrete:1,2:1/0,1", items=1), "values"),
    (lambda: latent.frontier(bidders=2, values="discrete:1,2:1/0,1"), "values"),
    (lambda: latent.frontier(bidders=2, values="nonsense"), "values"),
    (lambda: latent.frontier(bidders=0), "bidders"),
    (lambda: latent.frontier(bidders=2, grid=float("nan")), "grid"),
    (lambda: latent.frontier(bidders=2, certify="sometimes"), "certify"),
    (lambda: latent.frontier(bidders=3, grades="1,7"), "grades"),
    (lambda: latent.efficient(EXAMPLE, samples=-1), "samples"),
    (lambda: latent.efficient(EXAMPLE, agent="9"), "agent"),
    (lambda: latent.efficient(EXAMPLE, samples=3, seed=-2), "seed"),
    (lambda: latent.learn(values="uniform", bidders=2, sampler="grid"), "sampler"),
    (lambda: latent.learn(values="uniform", bidders=2, families="nope"), "families"),
    (lambda: latent.learn(values="uniform", bidders=2, train=1), "train"),
    (lambda: latent.learn(values="uniform", bidders=2, storage="postgres://x"), "storage"),
])  # fmt: skip
def test_bad_values_are_value_errors_naming_the_argument(call, name):
    with pytest.raises(ValueError, match=f"^{name}="):
        call()


def test_zero_denominator_on_the_command_line_is_a_usage_error(capsys):
    argv = ["frontier", "--bidders", "2", "--values", "discrete:1,2:1/0,1"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --values") and err.count("\n") == 1


# --- result shapes, plots, seeds --------------------------------------------------------------

def test_frames():
    assert latent.optimal(bidders=2, items=2).to_frame().shape == (5, 5)  # BIC, DSIC, 3 benchm.
    f = latent.frontier(bidders=3, values=UNIFORM4, grid=4).to_frame()
    assert f.shape == (3, 8) and f["grade"].tolist() == [1, 2, 3]
    assert float(F(f.loc[2, "value_exact"])) == pytest.approx(f.loc[2, "value"], rel=1e-12)
    e = latent.efficient(EXAMPLE).to_frame()
    assert e.shape == (3, 7) and e["optimal"].tolist() == [4, 0, 0]


def test_plots_return_axes_and_leave_the_backend_alone(tmp_path):
    backend = matplotlib.get_backend()
    f = latent.frontier(bidders=2, values=UNIFORM4, grid=4)
    for result in (f, latent.efficient(EXAMPLE)):
        ax = result.plot()
        assert isinstance(ax, Axes)
        ax.figure.savefig(tmp_path / "p.png")
    mine = f.plot().figure.subplots()
    assert f.plot(ax=mine) is mine
    assert matplotlib.get_backend() == backend


def test_seeds_accept_int_seedsequence_and_generator():
    by_int = latent.efficient(EXAMPLE, samples=4, seed=5).to_dict()
    by_ss = latent.efficient(EXAMPLE, samples=4, seed=np.random.SeedSequence(5)).to_dict()
    assert by_int == by_ss
    g1 = latent.efficient(EXAMPLE, samples=4, seed=np.random.default_rng(2)).to_dict()
    g2 = latent.efficient(EXAMPLE, samples=4, seed=np.random.default_rng(2)).to_dict()
    assert g1 == g2


# --- command-line consistency -----------------------------------------------------------------

@pytest.mark.parametrize("old, new", [
    (["--agents", "2"], ["--bidders", "2"]),
    (["--no-certify"], ["--certify", "never"]),
    (["--seed", "9"], []),
])  # fmt: skip
def test_deprecated_optimal_flags_warn_once_and_still_work(capsys, old, new):
    base = ["optimal", "--items", "1", "--json"]
    assert main([*base, *old]) == 0
    got = capsys.readouterr()
    assert got.err.count("\n") == 1 and "deprecated" in got.err
    assert main([*base, *new]) == 0
    want = capsys.readouterr()
    assert want.err == "" and _untimed(json.loads(got.out)) == _untimed(json.loads(want.out))


def test_help_texts_cite_nothing_a_user_does_not_have():
    sub = build_parser()._subparsers._group_actions[0].choices
    for name in ("optimal", "frontier", "efficient", "learn", "appendix"):
        text = sub[name].format_help()
        for bad in ("seed 0", "DESIGN", "§"):
            assert bad not in text, (name, bad)
