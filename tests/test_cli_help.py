"""The command lines' help: printed without importing the numerical stack, every flag explained,
every example a command the parser accepts (line continuations included), and the README's
commands too.
"""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from latent.__main__ import build_parser
from latent.cli.estimate_rho import build_parser as estimate_rho_parser

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "scipy", "pandas", "matplotlib", "sympy", "z3", "cvc5", "dask", "tqdm")


def subparsers() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


# One process: `python -m latent --help`, every subcommand's help, `python -m latent.estimate_rho
# --help`, each as its -m entry point runs it; then the modules loaded. Last, a module that does
# load numpy, so that a detector that cannot see numpy fails here.
_PROBE = """
import runpy, sys
heavy = {heavy!r}
def run(module, *argv):
    sys.argv = [module, *argv]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        assert exc.code in (0, None), (module, argv, exc.code)
run("latent", "--help")
for name in {commands!r}:
    run("latent", name, "--help")
run("latent.estimate_rho", "--help")
print("LOADED", sorted(m for m in sys.modules if m.split(".")[0] in heavy))
import latent.cli.output
print("AFTER", "numpy" in sys.modules)
"""


def test_help_imports_no_numerical_package():
    code = _PROBE.format(heavy=HEAVY, commands=sorted(subparsers()))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    loaded = next(line for line in proc.stdout.splitlines() if line.startswith("LOADED"))
    assert loaded == "LOADED []"
    assert "AFTER True" in proc.stdout  # the probe sees numpy once something imports it
    assert "usage: python -m latent.estimate_rho" in proc.stdout


@pytest.mark.parametrize("command", sorted(subparsers()))
def test_every_flag_has_help(command):
    missing = [a.option_strings or a.dest for a in subparsers()[command]._actions
               if not a.help]  # SUPPRESS (a hidden deprecated alias) is a non-empty string
    assert missing == []


def commands_in(text: str) -> list[tuple[str, list[str]]]:
    """The ``python -m latent…`` commands of a help text or README block: (line, argv after the
    module). A line continued with a backslash is joined to the next; an indented line starting
    with a flag that continues nothing is reported as the command ``"<orphan>"``."""
    out, lines, k = [], text.splitlines(), 0
    while k < len(lines):
        line = lines[k].strip()
        if line.startswith("python -m latent"):
            full = line
            while full.endswith("\\") and k + 1 < len(lines):
                k += 1
                full = full[:-1] + " " + lines[k].strip()
            words = shlex.split(re.split(r"\s(?:&&|\||>|#)\s?", full)[0])
            out.append((full, words[2:]))
        elif line.startswith("--") and lines[k][:1].isspace():
            out.append((line, ["<orphan>"]))
        k += 1
    return out


def _parse(argv: list[str]) -> None:
    """Parse a command's argv (``latent SUB …`` or ``latent.estimate_rho …``) with the real
    parser; a usage error raises SystemExit."""
    module, rest = argv[0], argv[1:]
    if module == "latent.estimate_rho":
        estimate_rho_parser().parse_args(rest)
    else:
        assert module == "latent", argv
        subparsers()[rest[0]].parse_args(rest[1:])


def _help_texts():
    for name, p in sorted(subparsers().items()):
        yield name, f"{p.description or ''}\n{p.epilog or ''}"
    yield "latent", build_parser().epilog or ""


@pytest.mark.parametrize(("name", "text"), list(_help_texts()), ids=lambda x: x[:12])
def test_every_help_example_parses(name, text, capsys):
    found = commands_in(text)
    for line, argv in found:
        assert argv != ["<orphan>"], f"{name}: {line!r} continues no line (missing '\\')"
        try:
            _parse(argv)
        except SystemExit:
            pytest.fail(f"{name}: example does not parse: {line}\n{capsys.readouterr().err}")
    if name not in ("latent", "appendix"):
        assert len(found) >= 2, f"{name}: expected at least two examples"


def test_the_example_finder_catches_a_lost_continuation():
    text = ("examples:\n  python -m latent spectrum --function f --inputs 6 \\\n"
            "      --method grid\n  python -m latent spectrum --inputs 6\n"
            "      --target-rel-ci 0.1\n")
    found = commands_in(text)
    assert [a for _, a in found] == [["latent", "spectrum", "--function", "f", "--inputs", "6",
                                      "--method", "grid"],
                                     ["latent", "spectrum", "--inputs", "6"], ["<orphan>"]]
    with pytest.raises(SystemExit, match="^2$"):  # argparse: a usage error
        _parse(["latent", "spectrum", "--no-such-flag"])


def _readme_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def test_readme_commands_parse(capsys):
    found = [c for block in _readme_blocks() for c in commands_in(block)]
    assert len(found) >= 15
    for line, argv in found:
        assert argv != ["<orphan>"], f"README: {line!r} continues no line"
        try:
            _parse(argv)
        except SystemExit:
            pytest.fail(f"README command does not parse: {line}\n{capsys.readouterr().err}")


def test_readme_first_command_leaves_no_untracked_file():
    # the first command writes its CSV where the user runs it (the checkout): git ignores it
    first = _readme_blocks()[0].splitlines()[0]
    out = shlex.split(first)[shlex.split(first).index("--out") + 1]
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    proc = subprocess.run(["git", "check-ignore", "-q", out], cwd=ROOT)
    assert proc.returncode == 0, f"{out} (README's first command) is not in .gitignore"
