"""``python -m latent appendix``: every theorem, table and figure of the appendix, one command
(a thin layer over :func:`latent.api.appendix.appendix`)."""

from __future__ import annotations

import sys
import textwrap

import latent
from latent.cli.choices import APPENDIX_SEED, QUICK_HELP, REQUIREMENTS
from latent.cli.common import add_budget_arguments, budget
from latent.cli.flags import flag_error

NAME = "appendix"
HELP = "regenerate the paper appendix (LaTeX, PDF, figures, data, manifest)"
EPILOG = """Example:
  python -m latent appendix --out appendix --quick
writes appendix/appendix.tex (\\input it in a paper), appendix/appendix_standalone.pdf when
pdflatex is installed, figures/*.pdf, data/*.json|csv and manifest.json.

""" + textwrap.fill(REQUIREMENTS, 92, break_on_hyphens=False)


def add_arguments(p):
    p.add_argument("--out", required=True, help="output folder (created if absent)")
    p.add_argument("--quick", action="store_true",
                   help=QUICK_HELP)
    p.add_argument("--seed", type=int, default=APPENDIX_SEED,
                   help="master seed (default %(default)s)")
    p.add_argument("--data-dir", default=None,
                   help="folder with the real auction CSVs of the real-data section (eBay, "
                        "World Bank procurement, Swiss quota auctions); without it the section "
                        "is skipped and says so")
    p.add_argument("--no-pdf", action="store_true", help="do not run pdflatex")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    add_budget_arguments(p)  # for the real-data section, the one sized by its input


def run(args) -> int:
    try:
        result = latent.appendix(args.out, quick=args.quick, seed=args.seed,
                                 data_dir=args.data_dir, pdf=not args.no_pdf,
                          progress=not args.quiet, **budget(args))
    except ValueError as exc:
        raise flag_error(exc) from exc
    except RuntimeError as exc:  # pdflatex failed
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(result)
    return 0 if result.ok else 1
