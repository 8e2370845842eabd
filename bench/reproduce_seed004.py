"""Reproduce the correlated-bidders paper's Table 1 baselines (n = 4) with correct baselines and
correct regret.

One command:  python bench/reproduce_seed004.py [--samples 1000000] [--regret-samples 20000]
              [--seed 4] [--workers 1] [--json out.json] [--markdown table.md]

The computation lives in :mod:`latent.studies.seed004` (the appendix uses it too); this script is
its command line. Revenue/efficiency use ``--samples`` profiles, regret ``--regret-samples``
profiles (grid 64 + 2 refinement rounds).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from latent.studies.seed004 import markdown, reproduce  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--samples", type=int, default=1_000_000)
    ap.add_argument("--regret-samples", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--latent-w-seeds", default="0,1,2,3,4")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--json", default=None, help="write all results as JSON")
    ap.add_argument("--markdown", default=None, help="write the comparison table (markdown)")
    ap.add_argument("--from-json", default=None, help="only render --markdown from saved JSON")
    args = ap.parse_args(argv)
    if args.from_json:
        table = markdown(json.loads(Path(args.from_json).read_text()))
        Path(args.markdown).write_text(table + "\n") if args.markdown else print(table)
        return 0
    w_seeds = [int(s) for s in args.latent_w_seeds.split(",")]
    results = reproduce(args.samples, args.regret_samples, args.seed, w_seeds, args.workers,
                        verbose=True)
    results["config"] = vars(args)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    table = markdown(results)
    Path(args.markdown).write_text(table + "\n") if args.markdown else print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
