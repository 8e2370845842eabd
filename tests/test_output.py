"""Output a person reads (issue 26): short reprs, text that is not a repr, HTML tables for
notebooks, one column vocabulary across ``to_frame()``, and plots with the expected artists."""

from __future__ import annotations

import dataclasses
import re
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

import latent
from numerics.results import REPR_LIMIT, Result, short_repr

# a dataclass repr: Name(field=… — what str() printed for results before
DATACLASS_REPR = re.compile(r"\b[A-Z][A-Za-z]+\([a-z_]+=")


@pytest.fixture(scope="module")
def results():
    f = lambda x: x[:, 0] * x[:, 1] + x[:, 0]  # noqa: E731
    grid = latent.spectrum(f, inputs=2, method="grid", grid=4)
    mc = latent.spectrum(f, inputs=3, samples=2_000, seed=1)
    return {
        "grid": grid,
        "mc": mc,
        "rho": mc.rho(),
        "simulation": latent.simulate("second_price", bidders=3, samples=1_000, regret=False,
                                      seed=2),
        "optimal_yao": latent.optimal(bidders=2, items=2),
        "optimal_discrete": latent.optimal(setting="discrete", bidders=2, items=1,
                                           values="discrete:1,2:1/2,1/2"),
        "frontier": latent.frontier(bidders=2, values="discrete:1,2:1/2,1/2"),
        "landscape": latent.landscape("second_price,posted_unlimited", samples=300,
                                      revenue_samples=1_000, lp=None),
    }


def test_short_repr_is_cut_to_the_limit():
    long = short_repr("X", [(f"k{i}", "v" * 60) for i in range(30)])
    assert len(long) == REPR_LIMIT and long.endswith("…>")
    assert short_repr("X", [("a", 0.123456), ("", Fraction(3, 7))]) == "<X a=0.1235 3/7>"


def test_reprs_are_short_and_name_the_result(results):
    for key, r in results.items():
        text = repr(r)
        assert len(text) < REPR_LIMIT, (key, len(text))
        assert text.startswith(f"<{type(r).__name__}") and text.endswith(">"), (key, text)
    mc = results["mc"]
    fit = mc.rho()
    assert "method=mc" in repr(mc) and "N=3" in repr(mc)
    assert f"rho={fit.rho:.4g}" in repr(mc)
    assert f"revenue={results['simulation'].revenue.value:.4g}" in repr(results["simulation"])


def test_text_is_a_table_not_a_repr(results):
    for key, r in results.items():
        text = str(r)
        assert not DATACLASS_REPR.search(text), (key, DATACLASS_REPR.search(text))
        assert text.strip() and text != repr(r), key
    # the spectrum's text has one line per grade with its value
    lines = str(results["grid"]).splitlines()
    for g, w in enumerate(results["grid"].energies):
        assert any(re.match(rf"\s+{g}\s+{w:.6g}\s", line) for line in lines), (g, lines)
    # the landscape's text fits 100 columns and calls the papers' claims claims
    land = str(results["landscape"])
    assert max(len(line) for line in land.splitlines()) <= 100
    assert "claimed: Large (smooth F)" in land and "seed" not in land.split("settings")[0]


def test_a_result_without_its_own_text_prints_its_frame():
    @dataclasses.dataclass(frozen=True)
    class Demo(Result):
        value: float
        big: tuple

        def to_frame(self):
            return pd.DataFrame({"grade": [1, 2], "value": [self.value, float("nan")]})

    d = Demo(value=0.25, big=tuple(range(10_000)))
    assert repr(d) == "<Demo value=0.25>"  # the 10 000 numbers stay out of the repr
    assert str(d).splitlines() == ["Demo", " grade  value", "     1   0.25", "     2"]


def test_html_is_a_table(results):
    for key, r in results.items():
        html = r._repr_html_()
        assert "<table" in html and "</table>" in html, key
        assert html.count("<tr") == len(r.to_frame()) + 1, key  # header + one row per row


def test_one_column_vocabulary(results):
    measured = ["grid", "mc", "rho", "simulation", "landscape"]
    for key in measured:
        cols = set(results[key].to_frame().columns)
        assert {"value", "ci_low", "ci_high", "units"} <= cols, (key, cols)
        assert not {c for c in cols if c.endswith(("_low", "_high")) and not
                    c.startswith("ci_")}, (key, cols)
    for key in ("optimal_yao", "optimal_discrete", "frontier"):
        frame = results[key].to_frame()
        assert {"value", "value_exact", "units"} <= set(frame.columns), key
        for v, exact in zip(frame["value"], frame["value_exact"], strict=True):
            assert isinstance(v, float | np.floating)
            if exact is not None:
                assert isinstance(exact, str) and float(Fraction(exact)) == pytest.approx(v)
    # the exact value of the single-item optimum is Myerson's (1 bidder U{1,2}: price 2 → 1)
    one = latent.optimal(setting="discrete", bidders=1, items=1,
                         values="discrete:1,2:1/2,1/2").to_frame()
    assert one.loc[0, "value_exact"] == "1" and one.loc[0, "value"] == 1.0


def test_simulation_plot_draws_each_metric(results):
    sim = results["simulation"]
    ax = sim.plot()
    frame = sim.to_frame()
    assert len(ax.containers) == len(frame)  # one error bar per metric
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(labels) == sorted(f"{m} ({u})" for m, u in zip(frame["metric"],
                                                                  frame["units"], strict=True))
    # the revenue point sits at the estimate
    rev = next(c for c, lab in zip(ax.containers, labels, strict=True) if lab.startswith(
        "revenue"))
    assert rev.lines[0].get_xdata()[0] == pytest.approx(sim.revenue.value)


def test_optimal_plot_draws_allocation_and_payment_by_type(results):
    yao = results["optimal_yao"]
    ax = yao.plot()
    interim = yao.interim_frame()
    assert len(ax.containers) == 3  # x_high, x_low, payment
    assert all(len(c.patches) == len(interim) for c in ax.containers)
    pay = ax.containers[-1]
    assert [p.get_height() for p in pay.patches] == pytest.approx(
        interim["payment"].fillna(0).tolist())
    disc = results["optimal_discrete"]
    ax = disc.plot()
    assert len(ax.containers) == 2  # one item + payment
    assert [p.get_height() for p in ax.containers[1].patches] == pytest.approx(
        [float(x) for x in disc.mechanism.interim_payment[0]])
