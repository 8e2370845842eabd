"""The proof report with its parts side by side against the same report one part after another.

``python mechanism_design_proof.py`` runs five independent jobs (theorems for every n, fixed-n
theorems, the companion's 16, groundings, lemmas) on the machine's cores
(:mod:`proofs.parallel`); ``--sequential`` here runs the same jobs in this process, one after
another. Both print the same verdicts; wall seconds are reported.

Run: python bench/bench_proof_report.py [--repeats 2]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import time
from functools import partial

import mechanism_design_proof as mdp
from proofs import report
from proofs.parallel import run_jobs


def once(workers: int | None) -> tuple[float, str]:
    saved = report.run_jobs
    report.run_jobs = partial(run_jobs, workers=workers)
    out = io.StringIO()
    try:
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(out):
            code = report.main(mdp.THEOREMS, [])
        seconds = time.perf_counter() - t0
    finally:
        report.run_jobs = saved
    assert code == 0
    lines = out.getvalue().strip().splitlines()
    return seconds, lines[-2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    for _ in range(args.repeats):  # alternate, so that load drifts hit both alike
        par, summary_par = once(None)
        seq, summary_seq = once(1)
        assert summary_par == summary_seq, (summary_par, summary_seq)
        print(f"side by side {par:6.1f} s   one after another {seq:6.1f} s   "
              f"ratio {seq / par:.2f}   {summary_par}")


if __name__ == "__main__":
    main()
