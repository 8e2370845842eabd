"""The package's layering, checked on the import graph read from the source (nothing is run).

Arrows point one way: ``latent → numerics``, ``latent → proofs`` (the appendix only),
``proofs → numerics.lp`` at most; ``numerics`` knows nothing of ``latent`` or ``proofs``.
Inside ``latent``: the estimators (``anova``, ``data``, ``estimate``) never import the studies,
the appendix or the command lines; ``api`` (the user's entry points, composing studies and
appendix) is imported only by ``cli``; only ``cli`` (and the ``python -m`` shims) import ``cli``.
No import cycles, no private name taken from another module, and function-local imports only
for optional or heavy plotting dependencies.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("latent", "numerics", "proofs")
# matplotlib: plotting only, and its import costs more than the package's; optuna: an optional
# extra; dask.distributed: ~1 s to import and only the dask executor uses it.
LOCAL_IMPORT_ALLOWED = ("matplotlib", "optuna", "importlib.metadata", "dask")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            if path.name.startswith("test_"):
                continue
            out[_module_name(path)] = path
    out["mechanism_design_proof"] = ROOT / "mechanism_design_proof.py"
    return out


SOURCES = _sources()


def _resolve(module: str) -> str | None:
    """The project module an import names (the longest known prefix), or None if external."""
    parts = module.split(".")
    while parts:
        name = ".".join(parts)
        if name in SOURCES:
            return name
        parts.pop()
    return None


def _imports(name: str, path: Path):
    """(target module, imported names, is_module_level, line) for each project import."""
    tree = ast.parse(path.read_text(), filename=str(path))
    top = set(map(id, tree.body))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _resolve(alias.name)
                yield alias.name, target, (), id(node) in top, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against this module's package
                base = name.split(".")
                if not path.name == "__init__.py":
                    base = base[:-1]
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names = tuple(a.name for a in node.names)
            # `from pkg import submodule` is an import of the submodule
            subs = [f"{module}.{n}" for n in names if f"{module}.{n}" in SOURCES]
            for target in subs or [_resolve(module)]:
                yield module, target, names, id(node) in top, node.lineno


GRAPH = {name: list(_imports(name, path)) for name, path in SOURCES.items()}


def _within(name: str, *packages: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def _layer_violation(src: str, dst: str) -> str | None:
    top_src, top_dst = src.split(".")[0], dst.split(".")[0]
    if top_src == "numerics" and top_dst != "numerics":
        return "numerics imports nothing of the project's other packages"
    if top_src == "proofs" and top_dst not in ("proofs",) and not dst.startswith("numerics.lp"):
        return "proofs may import only proofs and numerics.lp"
    if top_src == "latent" and top_dst == "proofs" and not _within(src, "latent.paper"):
        return "only the appendix imports proofs"
    if top_src == "latent" and top_dst == "mechanism_design_proof":
        return "the root script is a user-facing entry point, not a library"
    estimators = ("latent.anova", "latent.data", "latent.estimate")
    upper = ("latent.studies", "latent.paper", "latent.cli")
    if _within(src, *estimators) and _within(dst, *upper):
        return "estimators never import studies, the appendix or the command lines"
    if _within(src, "latent.studies") and _within(dst, "latent.paper", "latent.cli"):
        return "studies never import the appendix or the command lines"
    # latent.api composes the studies and the appendix for the user: only the command lines
    # (and the package's lazy entry points) stand above it
    if _within(dst, "latent.api") and not (_within(src, "latent.api", "latent.cli")
                                           or src == "latent"):
        return "only the command lines import latent.api (it is the top of the library)"
    if _within(dst, "latent.cli") and not (_within(src, "latent.cli")
                                             or src in ("latent.__main__", "latent.estimate_rho")):
        return "only the command lines (and the python -m shims) import latent.cli"
    return None


def test_graph_was_read():
    assert len(SOURCES) > 80
    assert sum(len(v) for v in GRAPH.values()) > 200


def test_api_is_ranked_above_the_studies_and_the_appendix():
    # the rule that would have caught latent.studies.seed004 importing latent.api.simulate
    assert _layer_violation("latent.studies.seed004", "latent.api.simulate")
    assert _layer_violation("latent.paper.sections.seed004", "latent.api.common")
    assert _layer_violation("latent.anova.mc", "latent.api.spectrum")
    assert not _layer_violation("latent.cli.simulate", "latent.api.simulate")
    assert not _layer_violation("latent.api.simulate", "latent.studies.formats")


def test_no_upward_import():
    bad = []
    for src, imports in GRAPH.items():
        for _module, dst, _names, _top, line in imports:
            if dst is None or dst == src:
                continue
            why = _layer_violation(src, dst)
            if why:
                bad.append(f"{SOURCES[src].relative_to(ROOT)}:{line} imports {dst}: {why}")
    assert not bad, "\n".join(bad)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, cycles, counter = {}, {}, [], set(), [], [0]

    def strongconnect(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            strongconnect(v)
    return cycles


def test_cycle_finder_finds_a_planted_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle():
    # A package's __init__ importing its own submodules is how packages re-export; a cycle
    # needs a submodule importing back from its package's __init__ (or two modules each other).
    edges = {src: {dst for _m, dst, _n, _t, _l in imps if dst and dst != src}
             for src, imps in GRAPH.items()}
    cycles = _cycles(edges)
    assert not cycles, f"import cycles: {cycles}"


def test_importing_proofs_loads_no_latent_and_only_the_lp_core_of_numerics():
    code = ("import sys, proofs, proofs.check, proofs.mechanism_theorems; "
            "print(' '.join(m for m in sys.modules if m.startswith(('numerics', 'latent'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout.split()
    assert not [m for m in out if m.startswith("latent")]
    assert not [m for m in out if m != "numerics" and not m.startswith("numerics.lp")], out


def test_no_private_name_imported_across_modules():
    bad = []
    for src, imports in GRAPH.items():
        for module, dst, names, _top, line in imports:
            if dst is None:
                continue
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private:
                bad.append(f"{SOURCES[src].relative_to(ROOT)}:{line}: {module} {private}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("package", PACKAGES)
def test_function_local_imports_only_for_optional_heavy_dependencies(package):
    bad = []
    for src, path in SOURCES.items():
        if not src.startswith(package):
            continue
        tree = ast.parse(path.read_text())
        local = {id(n) for f in ast.walk(tree)
                 if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef) for n in ast.walk(f)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom) and id(node) in local:
                mods = ([a.name for a in node.names] if isinstance(node, ast.Import)
                        else [node.module or ""])
                if not all(m.startswith(LOCAL_IMPORT_ALLOWED) for m in mods):
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: {', '.join(mods)}")
    assert not bad, "\n".join(bad)
