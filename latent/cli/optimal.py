"""``python -m latent optimal``: exact revenue-optimal mechanisms for discrete settings."""

from __future__ import annotations

import argparse
from fractions import Fraction

from latent.cli.common import UsageError, print_json
from numerics.lp.bundling import check_grand_bundling, smallest_bundling_shift
from numerics.lp.discretize import parse_grid
from numerics.lp.optimal import TypeSpace, optimal_mechanism
from numerics.lp.yao import yao_optimal

NAME = "optimal"
HELP = "exact revenue-optimal BIC/DSIC mechanism (Yao bi-valued or discrete iid), certified"
DESCRIPTION = """\
Revenue-optimal IR mechanism among BIC (default) or DSIC ones, for n iid additive agents and m
iid items, solved as an LP with HiGHS and certified in exact rationals (the revenue printed as
p/q is a proven optimum when the certificate says "verified").

Settings:
  yao       values in {a, b}, P(a) = p (Yao's bi-valued setting); BIC uses the reduced LP with
            agent and item symmetry and Border's constraints (any n, m <= 8); DSIC uses the
            ex-post LP (2^(n*m) <= 4096 profiles). Both BIC and DSIC are reported when feasible.
  discrete  each item value ~ --values discrete:V1,V2:P1,P2 (iid items and agents); unit demand
            with --unit-demand (ex-post LP).
Compared with item-wise Myerson, grand-bundle Myerson and VCG (all exact)."""
EPILOG = """\
Examples:
  python -m latent optimal --setting yao --agents 2 --items 2 --p 1/2 --a 1 --b 2
  python -m latent optimal --setting yao --agents 2 --items 2 --p 1/2 --a 1 --b 2 --dsic --json
  python -m latent optimal --setting discrete --values discrete:1,2,3:1/3,1/3,1/3 --agents 2
"""


def _fraction(text: str) -> Fraction:
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError) as exc:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--setting", choices=["yao", "discrete"], default="yao")
    parser.add_argument("--agents", type=int, default=2, help="number of agents n")
    parser.add_argument("--items", type=int, default=2, help="number of items m")
    parser.add_argument("--p", type=_fraction, default=Fraction(1, 2), help="P(value = a)")
    parser.add_argument("--a", type=_fraction, default=Fraction(1), help="low value a")
    parser.add_argument("--b", type=_fraction, default=Fraction(2), help="high value b")
    parser.add_argument("--values", default=None, help="discrete:V1,..:P1,.. (setting discrete)")
    parser.add_argument("--dsic", action="store_true", help="optimise over DSIC mechanisms")
    parser.add_argument("--unit-demand", action="store_true", help="unit-demand buyers")
    parser.add_argument("--formulation", choices=["auto", "reduced", "expost"], default="auto")
    parser.add_argument("--no-certify", action="store_true", help="skip the exact certificate")
    parser.add_argument(
        "--bundling-shift",
        action="store_true",
        help="one agent: smallest value shift from which grand bundling is optimal",
    )
    parser.add_argument("--seed", type=int, default=0, help="unused: the LP is deterministic")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def _run_yao(args) -> dict:
    if args.unit_demand:
        raise UsageError("--unit-demand is only supported with --setting discrete")
    if args.items > 8 and not args.dsic:
        raise UsageError("yao BIC supports --items <= 8 (4^m Border rows)")
    ic = "dsic" if args.dsic else "bic"
    main = yao_optimal(
        args.agents,
        args.items,
        args.p,
        args.a,
        args.b,
        ic=ic,
        formulation=args.formulation,
        do_certify=not args.no_certify,
    )
    out = main.to_dict()
    other_ic = "bic" if args.dsic else "dsic"
    comparison = {
        ic: {
            "revenue": main.revenue,
            "revenue_float": main.revenue_float,
            "certificate": main.certificate.status,
        }
    }
    if other_ic == "bic" or (2**args.items) ** args.agents <= 4096:
        other = yao_optimal(
            args.agents,
            args.items,
            args.p,
            args.a,
            args.b,
            ic=other_ic,
            do_certify=not args.no_certify,
        )
        comparison[other_ic] = {
            "revenue": other.revenue,
            "revenue_float": other.revenue_float,
            "certificate": other.certificate.status,
        }
    else:
        comparison[other_ic] = "not computed (ex-post DSIC LP too large)"
    out["comparison"] = comparison
    return out


def _run_discrete(args) -> dict:
    if not args.values:
        raise UsageError("--setting discrete needs --values discrete:V1,V2:P1,P2")
    if not args.values.startswith("discrete:"):
        raise UsageError("--values must be discrete:V1,V2,...:P1,P2,... for the optimal LP")
    vals, probs = parse_grid(args.values, 1)
    ts = TypeSpace.product([(vals, probs)] * args.items)
    if len(ts.types) ** args.agents > 20000:
        raise UsageError(
            f"{len(ts.types)}^{args.agents} profiles: too large for the ex-post LP"
            if args.dsic or args.unit_demand
            else "too many types for the reduced LP; use fewer items or values"
        )
    res = optimal_mechanism(
        [ts] * args.agents,
        ic="dsic" if args.dsic else "bic",
        demand="unit" if args.unit_demand else "additive",
        formulation=args.formulation,
        do_certify=not args.no_certify,
    )
    out = res.to_dict()
    out["types"] = [list(t) for t in ts.types]
    if args.agents == 1 and not args.unit_demand and args.items > 1:
        marg = [(vals, probs)] * args.items
        out["grand_bundling"] = check_grand_bundling(marg).to_dict()
        if args.bundling_shift:
            out["grand_bundling"] |= smallest_bundling_shift(marg).to_dict()
    elif args.bundling_shift:
        raise UsageError("--bundling-shift needs --agents 1, --items >= 2 and additive values")
    return out


def run(args) -> int:
    if args.agents < 1 or args.items < 1:
        raise UsageError("--agents and --items must be at least 1")
    try:
        out = _run_yao(args) if args.setting == "yao" else _run_discrete(args)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    if args.json:
        print_json(out)
        return 0
    _print_text(out)
    return 0


def _fmt(v) -> str:
    if isinstance(v, Fraction):
        return f"{v} = {float(v):.6g} (exact)"
    return "n/a" if v is None else f"{v:.6g}"


def _short(v) -> str:
    return str(v) if isinstance(v, Fraction) else f"{float(v):.6g}"


def _print_text(out: dict) -> None:
    rev = out["revenue"]
    print(
        f"optimal {out['ic'].upper()} revenue: "
        + (_fmt(rev) if rev is not None else f"{out['revenue_float']:.9g} (float, uncertified)")
    )
    print(
        f"certificate: {out['certificate']} ({out.get('certificate_path') or '-'});"
        f" formulation {out['formulation']}; LP {out['lp']}"
    )
    if "interim" in out:
        print("interim rule by number k of high-valued items (x_high, x_low: per item):")
        for row in out["interim"]:
            print(
                f"  k={row['high_items']}: x_high={_fmt(row['x_high'])}"
                f" x_low={_fmt(row['x_low'])} payment={_fmt(row['payment'])}"
            )
    elif "interim_allocation" in out:
        print("interim rule (agent 1) by type:")
        for t, x, p in zip(
            out["types"], out["interim_allocation"][0], out["interim_payment"][0], strict=False
        ):
            print(f"  type {[str(v) for v in t]}: x={[_short(v) for v in x]} payment={_short(p)}")
    for k, v in out.get("comparison", {}).items():
        if isinstance(v, dict):
            r = v["revenue"]
            print(
                f"  {k.upper()} optimum: {_fmt(r) if r is not None else v['revenue_float']}"
                f" [{v['certificate']}]"
            )
        else:
            print(f"  {k.upper()}: {v}")
    for k, v in out["benchmarks"].items():
        print(f"  {k}: {_fmt(v)}")
    for k, v in out.get("grand_bundling", {}).items():
        print(f"  grand bundling {k}: {_fmt(v) if isinstance(v, Fraction) else v}")
