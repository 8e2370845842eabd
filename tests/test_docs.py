"""The documentation: the reference covers the public API, and the Sphinx build passes with every
cross-reference checked (``nitpicky``) and warnings as errors."""

from __future__ import annotations

import importlib.util
import inspect
import os
import re
import subprocess
import sys
import typing
from pathlib import Path

import pytest

import latent
from numerics.results import Result

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference"


def _directives() -> list[tuple[str, str]]:
    """(directive, dotted name) of every autodoc directive of the reference pages."""
    text = "\n".join(p.read_text() for p in sorted(REFERENCE.glob("*.md")))
    return re.findall(r"^\.\. auto(\w+):: ([\w.]+)", text, flags=re.M)


def test_every_public_function_has_a_reference_entry():
    documented = {name for kind, name in _directives() if kind == "function"}
    functions = [n for n in latent.__all__ if inspect.isfunction(getattr(latent, n))]
    assert len(functions) >= 12  # the ten subcommands and the two extension points
    missing = [n for n in functions if f"latent.{n}" not in documented]
    assert not missing, f"latent functions without a reference entry: {missing}"


def test_every_result_class_has_a_reference_entry():
    documented = {name for kind, name in _directives() if kind == "class"}
    results = {typing.get_type_hints(getattr(latent, n))["return"]
               for n in latent.__all__ if inspect.isfunction(getattr(latent, n))
               and n not in ("register_mechanism", "register_valuation")}
    assert results and all(issubclass(c, Result) for c in results)  # every one a result
    missing = [f"{c.__module__}.{c.__qualname__}" for c in results
               if f"{c.__module__}.{c.__qualname__}" not in documented]
    assert not missing, f"result classes without a reference entry: {missing}"


def test_the_contracts_and_the_kernel_are_documented():
    documented = {name for _, name in _directives()}
    import proofs
    kernel = {f"{getattr(proofs, n).__module__}.{n}" for n in proofs.__all__}
    wanted = kernel | {"numerics.mechanisms.Mechanism", "numerics.valuations.Valuation",
                       "numerics.mechanisms.check_mechanism",
                       "numerics.valuations.check_valuation"}
    assert not sorted(wanted - documented)


def test_no_test_module_is_in_the_reference():
    # the docs build with the docs extra alone: importing a test module needs pytest
    names = [name for _, name in _directives()]
    assert names and not [n for n in names if re.search(r"(^|\.)(test_|tests\.|conftest)", n)]


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("sphinx") is None,
                    reason="sphinx is not installed (pip install '.[docs]')")
@pytest.mark.skipif(os.environ.get("LATENT_DOCS_BUILT") == "1",
                    reason="this run's docs were just built with -W by .ci/run (same check)")
def test_sphinx_builds_with_every_reference_resolved(tmp_path):
    # -n: nitpicky (every cross-reference must resolve), -W: warnings are errors; the real
    # configuration, so a broken reference in any docstring fails here as in CI
    run = subprocess.run(
        [sys.executable, "-m", "sphinx", "-n", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(DOCS), str(tmp_path / "html")],
        capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert run.returncode == 0, run.stderr[-4000:]
    assert "WARNING" not in run.stderr
    page = (tmp_path / "html" / "reference" / "functions.html").read_text()
    assert 'id="latent.simulate"' in page and 'id="latent.register_mechanism"' in page
