"""Extension points: the registries of mechanisms and value laws, their contract checkers, and
what a registered name reaches (the Python API, the command line's help and error lists)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import latent
from latent.__main__ import build_parser, main
from numerics.mechanisms import (
    CallableMechanism,
    ContractError,
    Mechanism,
    check_mechanism,
    make_mechanism,
    mechanism_names,
    register_mechanism,
    unregister_mechanism,
)
from numerics.registry import MECHANISMS, VALUATIONS
from numerics.valuations import (
    Uniform,
    Valuation,
    check_valuation,
    iid,
    parse_profile,
    parse_valuation,
    register_valuation,
    unregister_valuation,
    valuation_names,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cleanup():
    """Names registered by a test, unregistered after it (the registries are process-wide)."""
    names: list[tuple[str, str]] = []
    yield names
    for kind, name in names:
        (unregister_mechanism if kind == "mechanism" else unregister_valuation)(name)


# --- the built-ins fulfil the contracts the checkers state ------------------------------------

@pytest.mark.parametrize("name", [n for n in VALUATIONS.names() if n != "empirical"])
def test_every_builtin_law_passes_the_valuation_contract(name):
    law = parse_valuation(VALUATIONS.get(name).example)
    assert check_valuation(law, name=name) is law


def test_the_empirical_law_passes_the_valuation_contract(tmp_path):
    path = tmp_path / "values.csv"
    path.write_text("value\n" + "\n".join(str(x) for x in (0.3, 1.2, 0.7, 2.5, 0.7)))
    check_valuation(parse_valuation(f"empirical:{path}"), name="empirical")


# every built-in at one item, two items (additive) and, for those that allocate bundles
# themselves, two unit-demand items
_CASES = [(name, n, m, kind) for name in MECHANISMS.names() if name not in ("callable", "menu")
          for n, m, kind in ((3, 1, "additive"), (2, 2, "additive"), (3, 2, "unit_demand"))
          if kind == "additive" or name in ("vcg", "vcg_enum", "gsp")]


@pytest.mark.parametrize("name, n_bidders, n_items, kind", _CASES)
def test_every_builtin_mechanism_passes_the_mechanism_contract(name, n_bidders, n_items, kind):
    law = iid(Uniform(), n_bidders, n_items, kind)
    m = make_mechanism(name, n_bidders, n_items, valuation=law)
    assert check_mechanism(m, n_bidders, n_items) is m


def test_menu_passes_the_mechanism_contract():
    check_mechanism(make_mechanism("menu", 1, 2), 1, 2)


# --- broken mechanisms are refused, naming the requirement ------------------------------------

@dataclass(frozen=True, eq=False)
class _Raw(Mechanism):
    """A rule whose outcome is returned as the functions give it (CallableMechanism would
    convert it to float arrays)."""

    alloc: object = None
    pay: object = None
    name: str = "broken"

    def outcome(self, v):
        return self.alloc(v), self.pay(v)


def _rule(alloc, pay):
    return _Raw(alloc, pay)


def _second_price_x(v):
    x = np.zeros_like(v)
    x[np.arange(v.shape[0]), np.argmax(v[:, :, 0], axis=1), 0] = 1.0
    return x


def _zero_pay(v):
    return np.zeros(v.shape[:2])


@pytest.mark.parametrize("mechanism, message", [
    (_rule(lambda v: np.ones_like(v), _zero_pay), r"at most once \(Σ_i x\[:, i, m\] ≤ 1\)"),
    (_rule(lambda v: 2 * _second_price_x(v), _zero_pay), r"must lie in \[0, 1\]"),
    (_rule(lambda v: _second_price_x(v)[:, :, 0], _zero_pay),
     r"allocation x must have the profiles' shape \(batch, N, M\)"),
    (_rule(_second_price_x, lambda v: np.zeros(v.shape[0])),
     r"payments p must have shape \(batch, N\)"),
    (_rule(_second_price_x, lambda v: np.full(v.shape[:2], np.nan)),
     "payments p must be finite"),
    (_rule(lambda v: _second_price_x(v).astype(int), _zero_pay),
     "allocation x must be a float array"),
    # 1/v at the all-zero profile: numpy's divide warning is a refusal, not noise in a run
    (_rule(_second_price_x, lambda v: _second_price_x(v)[:, :, 0] / v[:, :, 0]),
     "outcome must not warn on valid profiles"),
    (_rule(_second_price_x, lambda v: np.broadcast_to(v[:, :, 0].mean(), v.shape[:2]) + 0.0),
     "outcome must be row-wise"),
    (_rule(_second_price_x, lambda v: v.__setitem__(Ellipsis, 0.0) or _zero_pay(v)),
     "must not modify the profiles"),
    (_rule(lambda v: v.sum(axis=(0, 1, 2, 3)), _zero_pay),
     r"outcome\(v\) must accept float profiles of shape \(batch, N, M\)"),
])
def test_a_broken_mechanism_is_refused_naming_the_requirement(mechanism, message):
    with pytest.raises(ContractError, match=message):
        check_mechanism(mechanism, 3)


def test_a_mechanism_whose_claim_is_not_a_bool_is_refused():
    @dataclass(frozen=True)
    class Claims(Mechanism):
        truthful: str = "yes"

        def outcome(self, v):
            return _second_price_x(v), _zero_pay(v)

    with pytest.raises(ContractError, match="attribute truthful must be True or False"):
        check_mechanism(Claims(), 2)


def test_register_mechanism_refuses_a_broken_factory_and_keeps_the_name_free():
    def over(n_bidders, n_items=1, valuation=None):
        return _rule(lambda v: np.ones_like(v), _zero_pay)

    with pytest.raises(ContractError, match=r"over: allocation x must give each item at most"):
        register_mechanism("over", over, help="gives every item to everyone")
    assert "over" not in mechanism_names()

    def crashes(n_bidders, n_items=1, valuation=None):
        raise RuntimeError("boom")

    with pytest.raises(ContractError, match=r"factory\(n_bidders=3, n_items=1, valuation\) must "
                                            r"build a mechanism; it raised RuntimeError: boom"):
        register_mechanism("crashes", crashes, help="never builds")


def test_register_mechanism_refuses_taken_and_malformed_names(cleanup):
    def spa(n_bidders, n_items=1, valuation=None):
        return make_mechanism("second_price", n_bidders, n_items)

    with pytest.raises(ValueError, match=r"name='second_price': a built-in mechanism"):
        register_mechanism("second_price", spa, help="again")
    with pytest.raises(ValueError, match=r"name='Vickrey': a built-in mechanism"):
        register_mechanism("Vickrey", spa, help="an alias")
    with pytest.raises(ValueError, match=r"name='2nd': a mechanism name is letters"):
        register_mechanism("2nd", spa, help="starts with a digit")
    with pytest.raises(ValueError, match=r"help='': one line saying what"):
        register_mechanism("spa", spa, help="")
    register_mechanism("spa", spa, help="second price again")
    cleanup.append(("mechanism", "spa"))
    with pytest.raises(ValueError, match=r"name='spa': already registered; pass replace=True"):
        register_mechanism("spa", spa, help="twice")
    register_mechanism("spa", spa, help="replaced", replace=True)
    assert MECHANISMS.get("spa").help == "replaced"
    with pytest.raises(ValueError, match=r"name='myerson': not a mechanism registered by the"):
        unregister_mechanism("myerson")


# A mechanism that is not truthful: the highest bidder wins and pays half its bid. The audit
# must find it (a truthful one would show no regret).
def half_price(n_bidders, n_items=1, valuation=None, discount=0.5):
    return CallableMechanism(_second_price_x, lambda v: discount * _second_price_x(v)[:, :, 0]
                             * v[:, :, 0], name="half_price")


def test_a_registered_mechanism_is_simulated_and_audited_by_name(cleanup):
    register_mechanism("half_price", half_price, help="highest bid wins, pays half of it")
    cleanup.append(("mechanism", "half_price"))
    sim = latent.simulate("half_price", values="uniform", bidders=2, samples=4000, seed=3,
                          executor="inline", regret_grid=32)
    # Oracle: E[max(U1, U2)] / 2 = 1/3 for two uniform bidders
    assert sim.revenue.ci.low < 1 / 3 < sim.revenue.ci.high
    # shading to half the value is profitable: regret clearly positive
    assert sim.regret is not None and sim.regret.value > 0.01
    # its own parameter passes through make_mechanism; an unknown one is refused by name
    assert make_mechanism("half_price", 2, discount=1.0).payments(np.array([[0.8, 0.2]]))[0, 0] \
        == pytest.approx(0.8)
    with pytest.raises(ValueError, match=r"half_price: got an unexpected keyword argument "
                                         r"'reserve'"):
        make_mechanism("half_price", 2, reserve=0.1)


def test_a_registered_mechanism_is_listed_by_the_command_line(cleanup, capsys):
    register_mechanism("half_price", half_price, help="highest bid wins, pays half of it")
    cleanup.append(("mechanism", "half_price"))
    parser = build_parser()
    sub = parser._subparsers._group_actions[0].choices["simulate"]
    assert "half_price" in " ".join(sub.format_help().split())
    assert main(["simulate", "--mechanism", "nosuch", "--values", "uniform", "--bidders", "2",
                 "--samples", "100", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "unknown mechanism 'nosuch': choose one of" in err and "half_price" in err


# --- value laws -----------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Pareto(Valuation):
    """Pareto(α) on [1, ∞): F(x) = 1 − x^−α."""

    alpha: float = 2.0

    def cdf(self, x):
        x = np.asarray(x, float)
        return np.where(x < 1.0, 0.0, -np.expm1(-self.alpha * np.log(np.maximum(x, 1.0))))

    def pdf(self, x):
        x = np.asarray(x, float)
        return np.where(x < 1.0, 0.0, self.alpha * np.maximum(x, 1.0) ** (-self.alpha - 1))

    def quantile(self, u):
        with np.errstate(divide="ignore"):  # u = 1: the upper end, +inf, without a warning
            return (1.0 - np.asarray(u, float)) ** (-1.0 / self.alpha)

    @property
    def mean(self):
        return self.alpha / (self.alpha - 1.0)

    @property
    def support(self):
        return (1.0, float("inf"))


def pareto(alpha=2.0):
    if not alpha > 1.0:
        raise ValueError(f"ALPHA={alpha:g}: must be > 1 (a finite mean)")
    return Pareto(alpha)


class LoudPareto(Pareto):
    def quantile(self, u):  # 1/0 at u = 1: numpy warns
        return (1.0 - np.asarray(u, float)) ** (-1.0 / self.alpha)


class ScalarUniform(Uniform):
    def quantile(self, u):
        return float(u)  # not vectorised


class WrongMean(Uniform):
    @property
    def mean(self):
        return 0.9


class NoInverse(Uniform):
    def cdf(self, x):
        return np.clip(np.asarray(x, float), 0.0, 1.0) ** 2  # not the quantile's law


@pytest.mark.parametrize("law, message", [
    (LoudPareto(), r"quantile\(…\) must not warn on valid input; numpy warned: divide by zero"),
    (ScalarUniform(), r"quantile\(…\) raised TypeError"),
    (WrongMean(), r"mean must match the quantile function's average: mean = 0\.9"),
    (NoInverse(), r"cdf must invert quantile"),
    (Uniform(1.0, 0.0), r"support \(lo, hi\) must have lo < hi"),
])
def test_a_broken_law_is_refused_naming_the_requirement(law, message):
    with pytest.raises(ContractError, match=message):
        check_valuation(law, name="broken")


def test_a_registered_law_is_read_in_every_spec(cleanup):
    register_valuation("pareto", pareto, help="pareto[:ALPHA], Pareto(ALPHA > 1) on [1, ∞)",
                       example="pareto:3")
    cleanup.append(("valuation", "pareto"))
    assert "pareto" in valuation_names()
    assert parse_valuation("pareto").mean == pytest.approx(2.0)
    assert parse_valuation("Pareto:5/2").alpha == pytest.approx(2.5)  # fractions, any case
    mix = parse_valuation("mixture:1/2*pareto:3+1/2*uniform:1:2")
    assert mix.mean == pytest.approx(0.5 * 1.5 + 0.5 * 1.5)
    assert parse_profile("pareto:3;uniform", 2).n_bidders == 2
    with pytest.raises(ValueError, match=r"pareto: ALPHA=0\.5: must be > 1 .*\(pareto\[:ALPHA\]"):
        parse_valuation("pareto:1/2")
    with pytest.raises(ValueError, match=r"pareto: expected pareto\[:ALPHA\].*, got 2 param"):
        parse_valuation("pareto:3:4")
    # Monopoly price of Pareto(α) is its lower end 1 (ψ(v) = v(1 − 1/α) > 0): the generic
    # machinery works on the registered law
    assert parse_valuation("pareto:3").monopoly_price() == pytest.approx(1.0, abs=1e-3)
    sim = latent.simulate("second_price", values="pareto:3", bidders=2, samples=4000, seed=2,
                          regret=False, executor="inline")
    # Oracle: E[min(V1, V2)], min of two Pareto(3) is Pareto(6): mean 6/5
    assert sim.revenue.ci.low < 1.2 < sim.revenue.ci.high


def test_register_valuation_refuses_a_broken_law_and_bad_names():
    with pytest.raises(ContractError, match=r"loud: quantile\(…\) must not warn"):
        register_valuation("loud", LoudPareto, help="loud[:ALPHA]")
    assert "loud" not in valuation_names()
    with pytest.raises(ContractError, match=r"must build a Valuation from example='pareto2:0\.5'"):
        register_valuation("pareto2", pareto, help="pareto2[:ALPHA]", example="pareto2:0.5")
    with pytest.raises(ValueError, match=r"name='exp': a built-in distribution"):
        register_valuation("exp", pareto, help="exp")
    with pytest.raises(ValueError, match=r"example='uniform:1': a spec of this law"):
        register_valuation("pareto3", pareto, help="pareto3", example="uniform:1")


def test_a_registered_law_is_listed_by_the_command_line(cleanup, capsys):
    register_valuation("pareto", pareto, help="pareto[:ALPHA], Pareto(ALPHA > 1) on [1, ∞)")
    cleanup.append(("valuation", "pareto"))
    sub = build_parser()._subparsers._group_actions[0].choices["simulate"]
    assert "pareto[:ALPHA], Pareto(ALPHA > 1)" in " ".join(sub.format_help().split())
    assert main(["simulate", "--mechanism", "second_price", "--values", "nosuch",
                 "--bidders", "2", "--samples", "100", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "unknown distribution 'nosuch': choose one of" in err and "pareto" in err


def test_the_registry_module_imports_no_numerical_library():
    # the command lines list the names in --help without loading numpy or scipy
    code = ("import sys, numerics.registry as r; r.MECHANISMS.choices_help(); "
            "print(' '.join(m for m in ('numpy', 'scipy', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout.strip()
    assert out == ""
