"""One name per option: every flag of every subcommand is the keyword of the same name of its
``latent.<function>`` (dashes → underscores, ``--no-x`` ↔ ``x=False``), with the same default,
and every keyword is a flag — except the options listed below, each with its reason.

The walk reads the real parsers (:func:`latent.__main__.build_parser`) and the functions'
``inspect.signature``; :func:`mismatches` is tested on a planted mismatch first.
"""

from __future__ import annotations

import argparse
import inspect
import warnings
from fractions import Fraction

import pytest

import latent
from latent.__main__ import build_parser
from latent.cli.choices import CLI_ONLY, CLI_ONLY_OF, PYTHON_ONLY, PYTHON_ONLY_OF
from latent.cli.estimate_rho import build_parser as estimate_rho_parser

# Flags spelled differently from their keyword because the keyword's name cannot be a flag's.
SPELLED = {("design", "lambdas"): "--lambda"}  # `lambda` is a Python keyword


def subparsers() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _default(value):
    """A default in comparable form: a comma-separated string or a list as a tuple."""
    if isinstance(value, str) and "," in value and ":" not in value:
        return tuple(v.strip() for v in value.split(","))
    if isinstance(value, list):
        return tuple(value)
    return value


def mismatches(command: str, parser: argparse.ArgumentParser, function) -> list[str]:
    """Every disagreement between a parser's flags and a function's keywords."""
    params = {name: p for name, p in inspect.signature(function).parameters.items()
              if p.kind is not inspect.Parameter.VAR_KEYWORD}
    bad, seen = [], set()
    for action in parser._actions:
        dest = action.dest
        if action.help == argparse.SUPPRESS or dest.startswith("_"):
            continue  # a deprecated alias (hidden, warns): it stores into its new flag's dest
        if dest in CLI_ONLY or (command, dest) in CLI_ONLY_OF:
            continue
        negated = (isinstance(action, argparse._StoreTrueAction) and dest.startswith("no_")
                   and dest[3:] in params)
        keyword = dest[3:] if negated else dest
        if keyword not in params:
            bad.append(f"{command}: flag {'/'.join(action.option_strings) or dest} has no "
                       f"keyword {keyword!r} in latent.{command}")
            continue
        seen.add(keyword)
        if action.option_strings:
            spelled = "--no-" + keyword.replace("_", "-") if negated else \
                "--" + keyword.replace("_", "-")
            if spelled not in action.option_strings and \
                    SPELLED.get((command, keyword)) not in action.option_strings:
                bad.append(f"{command}: flag {action.option_strings} for keyword {keyword!r} "
                           f"should be spelled {spelled}")
        p = params[keyword]
        cli_required = action.required or not action.option_strings
        py_required = p.default is inspect.Parameter.empty
        if cli_required != py_required:
            bad.append(f"{command}: {keyword!r} is {'required' if cli_required else 'optional'}"
                       f" on the command line, {'required' if py_required else 'optional'} "
                       "in Python")
            continue
        if py_required:
            continue
        cli_default = (not action.default) if negated else action.default
        if _default(cli_default) != _default(p.default):
            bad.append(f"{command}: default of {keyword!r}: command line {cli_default!r}, "
                       f"Python {p.default!r}")
    for keyword in params:
        if keyword not in seen and keyword not in PYTHON_ONLY and \
                (command, keyword) not in PYTHON_ONLY_OF:
            bad.append(f"{command}: keyword {keyword!r} of latent.{command} has no flag")
    return bad


def test_the_walk_finds_planted_mismatches():
    p = argparse.ArgumentParser()
    p.add_argument("--n-samples", type=int, default=10)   # named differently
    p.add_argument("--grid", type=int, default=8)         # another default
    p.add_argument("--no-tests", action="store_true")     # fine: tests=True
    p.add_argument("--values", required=True)             # required here, optional there

    def f(*, samples=10, grid=9, tests=True, values="uniform", extra=1):
        pass

    bad = "\n".join(mismatches("f", p, f))
    assert "flag --n-samples has no keyword 'n_samples'" in bad
    assert "default of 'grid': command line 8, Python 9" in bad
    assert "'values' is required on the command line, optional in Python" in bad
    assert "keyword 'extra' of latent.f has no flag" in bad
    assert "tests" not in bad


def test_every_subcommand_is_walked():
    assert set(subparsers()) == {"appendix", "design", "efficient", "estimate_rho", "frontier",
                                 "landscape", "learn", "optimal", "simulate", "spectrum"}


@pytest.mark.parametrize("command", sorted(subparsers()))
def test_flags_and_keywords_agree(command):
    assert mismatches(command, subparsers()[command], getattr(latent, command)) == []


def test_both_estimate_rho_command_lines_have_the_same_flags():
    def flags(p):
        return sorted((a.dest, tuple(a.option_strings), repr(a.default)) for a in p._actions)

    assert flags(estimate_rho_parser()) == flags(subparsers()["estimate_rho"])


def test_estimate_rho_signature_is_its_options():
    from latent.estimate.pipeline import EstimateOptions

    params = inspect.signature(latent.estimate_rho).parameters
    options = EstimateOptions()
    named = {k: p.default for k, p in params.items()
             if p.kind is inspect.Parameter.KEYWORD_ONLY}
    assert named == {k: getattr(options, k) for k in options.__dataclass_fields__}
    doc = inspect.getdoc(latent.estimate_rho)
    assert "Parameters\n----------" in doc
    undocumented = [k for k in named if not any(line.startswith(k) or f", {k}" in line
                                                for line in doc.splitlines())]
    assert undocumented == []


def test_estimate_rho_still_names_an_unknown_option():
    with pytest.raises(TypeError, match="unknown option 'sample' .did you mean samples"):
        latent.estimate_rho([[1.0, 2.0]], sample=10)


def test_where_takes_a_string_a_list_or_a_dict():
    from latent.estimate.pipeline import validate_options

    one = {"item": "Xbox game console"}
    assert validate_options({"where": "item=Xbox game console"}).where == one
    assert validate_options({"where": ["item=Xbox game console"]}).where == one
    assert validate_options({"where": one}).where == one
    with pytest.raises(ValueError, match="where='item': expected COL=VALUE"):
        validate_options({"where": "item"})
    with pytest.raises(TypeError, match="where=3: a COL=VALUE string"):
        validate_options({"where": 3})


def test_cli_where_reaches_the_api_as_a_list_of_strings():
    args = estimate_rho_parser().parse_args(["d.csv", "--where", "a=1", "--where", "b = 2"])
    assert args.where == ["a=1", "b = 2"]


def test_deprecated_no_baselines_warns_and_names_baselines():
    with pytest.warns(DeprecationWarning, match=r"learn\(no_baselines=...\) is deprecated; "
                                                r"use baselines=False"):
        with pytest.raises(ValueError, match="bidders=0"):
            latent.learn(values="uniform", bidders=0, no_baselines=True)
    with pytest.raises(ValueError, match="contradicts baselines=False"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            latent.learn(values="uniform", bidders=2, baselines=False, no_baselines=False)


def test_deprecated_no_pdf_warns_and_names_pdf(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    with pytest.warns(DeprecationWarning, match=r"appendix\(no_pdf=...\) is deprecated; "
                                                r"use pdf=False"):
        with pytest.raises(ValueError, match="exists and is not a folder"):
            latent.appendix(blocker, no_pdf=True)


def test_deprecated_boot_flag_still_sets_n_boot(capsys):
    args = estimate_rho_parser().parse_args(["d.csv", "--boot", "20"])
    assert args.n_boot == 20
    assert "--boot is deprecated; use --n-boot" in capsys.readouterr().err
    assert estimate_rho_parser().parse_args(["d.csv", "--n-boot", "30"]).n_boot == 30


def test_deprecated_engine_flag_still_sets_the_executor(capsys):
    args = subparsers()["simulate"].parse_args(["--engine", "inline"])
    assert args.executor == "inline"
    assert "--engine is deprecated; use --executor" in capsys.readouterr().err


def test_lambda_and_lambdas_are_one_flag():
    p = subparsers()["design"]
    assert p.parse_args(["--lambda", "0", "--lambdas", "0.5"]).lambdas == [0.0, 0.5]


def test_light_choices_agree_with_their_sources():
    from latent.api.appendix import DEFAULT_SEED
    from latent.api.simulate import ITEM_KINDS
    from latent.api.spectrum import METHODS
    from latent.cli import choices
    from latent.paper import QUICK_HELP, REQUIREMENTS
    from latent.studies.design import MEASURES
    from numerics.engine import EXECUTORS
    from numerics.learn import FAMILIES
    from numerics.mechanisms import MECHANISMS

    assert choices.MECHANISMS == tuple(MECHANISMS)
    assert choices.EXECUTORS == tuple(EXECUTORS)
    assert choices.METHODS == tuple(METHODS)
    assert choices.ITEM_KINDS == tuple(ITEM_KINDS)
    assert choices.MEASURES == tuple(MEASURES)
    assert choices.FAMILIES == tuple(FAMILIES)
    assert (choices.APPENDIX_SEED, choices.QUICK_HELP, choices.REQUIREMENTS) == (
        DEFAULT_SEED, QUICK_HELP, REQUIREMENTS)


def test_fraction_defaults_compare_exactly():
    # optimal's --p/--a/--b are exact: 1/2 on both sides, not 0.5 on one
    p = subparsers()["optimal"]
    assert p.get_default("p") == Fraction(1, 2) == inspect.signature(
        latent.optimal).parameters["p"].default


def _public_api_functions():
    import importlib
    import pkgutil

    import latent.api

    for info in pkgutil.iter_modules(latent.api.__path__):
        module = importlib.import_module(f"latent.api.{info.name}")
        for name, obj in vars(module).items():
            if inspect.isfunction(obj) and obj.__module__ == module.__name__ \
                    and not name.startswith("_"):
                yield f"{module.__name__}.{name}", obj
    yield "latent.estimate_rho", latent.estimate_rho


@pytest.mark.parametrize(("name", "function"), list(_public_api_functions()),
                         ids=lambda x: x if isinstance(x, str) else "")
def test_public_functions_have_numpydoc_sections(name, function):
    doc = inspect.getdoc(function) or ""
    for section in ("Parameters", "Returns", "Examples"):
        assert f"\n{section}\n{'-' * len(section)}\n" in doc, f"{name}: no {section} section"
    documented = set()
    block = doc.split("\nParameters\n----------\n")[1].split("\n\n")[0]
    for line in block.splitlines():
        if line and not line.startswith(" "):
            documented |= {n.strip().lstrip("*") for n in line.split(" : ")[0].split(",")}
    params = {p for p, v in inspect.signature(function).parameters.items()}
    assert params <= documented, f"{name}: undocumented {sorted(params - documented)}"
