"""The companion file of Nagy, *Latent Mechanism Design: Spectral Approximation of Optimal
Mechanisms*: its 16 scalar theorems, re-checked.

Each theorem is a sympy statement over real variables, proved by z3 (QF_NRA) and re-checked by
cvc5, then audited (non-vacuity, necessity of every hypothesis, minimal core, mutants). Where
the seed's hypotheses do not give its conclusion, the missing hypothesis is added *with the
countermodel that forces it*, and the report says so. Beside the surrogate calibrations the
report prints exact grounding computations in real models (uniform bilateral trade; n iid
U[0,1] bidders).

The report's second section proves theorems about mechanisms, several for every number of
bidders (second price, threshold rules, VCG with Clarke pivot, step rules: :mod:`proofs.any_n`),
each citing the lemmas it builds on, and ends with how many hold for every n.

The theorems themselves are data in :mod:`proofs.companion`; this script prints their report.
Run ``python mechanism_design_proof.py`` (table), ``--json`` or ``--latex``.

>>> [t.name for t in THEOREMS][:3]
['vcg_efficiency', 'vcg_budget_deficit', 'ms_gap_positive']
>>> len(THEOREMS)
16
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from proofs.companion import THEOREMS
from proofs.report import main as report_main

__all__ = ["THEOREMS", "main"]

EXIT_USAGE = 2


def _one_line_error(parser: argparse.ArgumentParser, message: str):
    """argparse's usage error as one line (the standard of every command line here)."""
    parser.exit(EXIT_USAGE, f"error: {message} (see {parser.prog} --help)\n")


@contextlib.contextmanager
def _one_line_usage_errors():
    # the report's parser lives in proofs.report; its usage errors are made one line here,
    # for this call only
    before = argparse.ArgumentParser.error
    argparse.ArgumentParser.error = _one_line_error
    try:
        yield
    finally:
        argparse.ArgumentParser.error = before


def _latex_file(argv) -> str | None:
    """The FILE of ``--latex FILE`` / ``--latex=FILE`` (None for stdout or no --latex)."""
    for k, arg in enumerate(argv):
        if arg.startswith("--latex="):
            return arg.split("=", 1)[1]
        if arg == "--latex" and k + 1 < len(argv) and not argv[k + 1].startswith("-"):
            return argv[k + 1]
    return None


def main(argv=None) -> int:
    """Print the report of :data:`proofs.companion.THEOREMS`; the exit code is 1 on any
    failure, 2 (one ``error:`` line on stderr) on bad arguments or an unwritable ``--latex``
    file, checked before the proofs run."""
    argv = sys.argv[1:] if argv is None else list(argv)
    out = _latex_file(argv)
    if out is not None and out != "-" and not Path(out).parent.is_dir():
        print(f"error: --latex {out}: folder {str(Path(out).parent)!r} does not exist",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        with _one_line_usage_errors():
            return report_main(THEOREMS, argv)
    except SystemExit as exc:  # argparse's exits (usage error, --help) as a return value
        return exc.code if isinstance(exc.code, int) else 0
    except OSError as exc:  # the --latex file could not be written after all
        print(f"error: --latex {out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
