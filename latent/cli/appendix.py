"""``python -m latent appendix``: every theorem, table and figure of the appendix, one command."""

from __future__ import annotations

import sys
from pathlib import Path

from latent.cli.common import UsageError
from latent.paper import build_appendix

NAME = "appendix"
HELP = "regenerate the paper appendix (LaTeX, PDF, figures, data, manifest)"
EPILOG = """Example:
  python -m latent appendix --out appendix --quick
writes appendix/appendix.tex (\\input it in a paper), appendix/appendix_standalone.pdf when
pdflatex is installed, figures/*.pdf, data/*.json|csv and manifest.json."""


def add_arguments(p):
    p.add_argument("--out", required=True, help="output folder (created if absent)")
    p.add_argument("--quick", action="store_true",
                   help="small samples and grids (a few minutes; what CI runs)")
    p.add_argument("--seed", type=int, default=2026, help="master seed (default %(default)s)")
    p.add_argument("--data-dir", default=None,
                   help="folder with the real auction CSVs (default: ../shared/data if present)")
    p.add_argument("--no-pdf", action="store_true", help="do not run pdflatex")
    p.add_argument("--quiet", action="store_true", help="no progress output")


def _default_data_dir() -> Path | None:
    here = Path.cwd().resolve()
    for base in (here, *here.parents):
        cand = base.parent / "shared" / "data"
        if (base / "pyproject.toml").exists() and cand.is_dir():
            return cand
    return None


def run(args) -> int:
    if Path(args.out).exists() and not Path(args.out).is_dir():
        raise UsageError(f"--out {args.out} exists and is not a folder")
    if args.seed < 0:
        raise UsageError("--seed must be a non-negative integer")
    data_dir = Path(args.data_dir) if args.data_dir else _default_data_dir()
    if args.data_dir and not data_dir.is_dir():
        raise UsageError(f"--data-dir {args.data_dir} is not a folder")
    try:
        result = build_appendix(args.out, quick=args.quick, seed=args.seed, data_dir=data_dir,
                                compile=not args.no_pdf, progress=not args.quiet)
    except RuntimeError as exc:  # pdflatex failed
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for sec in result.sections:
        mark = "ok" if sec.ok else "FAILED: " + ", ".join(sec.problems)
        print(f"{sec.title}: {mark}")
    print(f"wrote {result.out / 'appendix.tex'}"
          + (f" and {result.pdf}" if result.pdf else " (pdflatex not found: no PDF)")
          + f" in {result.seconds:.0f} s")
    return 0 if result.ok else 1
