"""Layering of ``numerics`` and ``proofs``, read from the source (every import, at any depth).

* ``numerics`` imports neither ``proofs`` nor ``latent``;
* ``proofs`` imports from ``numerics`` only the exact-LP core ``numerics.lp`` (and, at run time,
  loads nothing else of ``numerics``);
* no import cycle among the modules of the two packages, and no private name imported from
  another module.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("numerics", "proofs")


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            if path.name.startswith("test_"):
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


MODULES = _modules()


def _imports(path: Path) -> list[tuple[str, str | None]]:
    """``(module, name)`` for every import statement; ``name`` is None for ``import m``."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, None) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out += [(node.module, a.name) for a in node.names]
    return out


def _lp_core(module: str) -> bool:
    return module == "numerics.lp" or module.startswith("numerics.lp.")


def _target(module: str, name: str | None) -> str:
    """The module an import loads: ``from a import b`` loads ``a.b`` when that is a module."""
    if name is not None and f"{module}.{name}" in MODULES:
        return f"{module}.{name}"
    return module


def _graph() -> dict[str, set[str]]:
    return {
        m: {t for mod, name in _imports(p) if (t := _target(mod, name)) in MODULES and t != m}
        for m, p in MODULES.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of ``graph`` as a list of nodes (first = last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(u):
        state[u] = 1
        stack.append(u)
        for v in sorted(graph.get(u, ())):
            if state.get(v) == 1:
                return stack[stack.index(v):] + [v]
            if v not in state and (cyc := visit(v)):
                return cyc
        state[u] = 2
        stack.pop()
        return None

    for u in sorted(graph):
        if u not in state and (cyc := visit(u)):
            return cyc
    return None


def test_cycle_finder_finds_a_planted_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_packages_found():
    assert {"numerics.lp.farkas", "numerics.lp.exact_lp", "proofs.kernel"} <= set(MODULES)


def test_no_import_cycle():
    assert find_cycle(_graph()) is None


@pytest.mark.parametrize("name", sorted(m for m in MODULES if m.startswith("numerics")))
def test_numerics_imports_neither_proofs_nor_latent(name):
    bad = [m for m, _ in _imports(MODULES[name]) if m.split(".")[0] in ("proofs", "latent")]
    assert not bad, f"{name} imports {bad}"


@pytest.mark.parametrize("name", sorted(m for m in MODULES if m.startswith("proofs")))
def test_proofs_imports_only_the_lp_core_of_numerics(name):
    top = {m: m.split(".")[0] for m, _ in _imports(MODULES[name])}
    bad = [m for m, t in top.items() if t == "latent" or (t == "numerics" and not _lp_core(m))]
    assert not bad, f"{name} imports {bad}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_private_name_imported_from_another_module(name):
    bad = [(m, n) for m, n in _imports(MODULES[name])
           if n and n.startswith("_") and m.split(".")[0] in PACKAGES]
    assert not bad, f"{name} imports private {bad}"


def test_importing_proofs_loads_only_the_lp_core():
    code = ("import sys, proofs, proofs.mechanism_theorems, proofs.report, proofs.companion; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('numerics', 'latent')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         check=True, timeout=120).stdout
    loaded = eval(out)  # a printed list of module names
    assert "numerics.lp.farkas" in loaded
    assert all(m == "numerics" or _lp_core(m) for m in loaded), loaded
