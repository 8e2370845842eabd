"""Whole first-price pipelines on the same simulated bids: ``estimate_rho`` vs simple-fpa.

Run (writes the file once, then times each tool as a whole process, side by side)::

    python bench/bench_pipeline_simplefpa.py write /tmp/fp.csv          # ~60k bids, N = 2..9
    farm-bench -n 3 --timeout 1800 -- python bench/bench_pipeline_simplefpa.py latent /tmp/fp.csv \
        --vs "python bench/bench_pipeline_simplefpa.py simplefpa /tmp/fp.csv"

The file (:func:`latent.data.simulated.first_price_file`): symmetric IPV first-price
equilibrium bids, a multiplicative shifter from three covariates (log size, age, quality) and
two sets of fixed effects (region, currency), N from 2 to 9.

* ``latent``: ``estimate_rho`` with the same covariates and fixed effects, its defaults
  otherwise — homogenisation with N in the first stage, GPV per N, the specification tests,
  the auction bootstrap of the whole pipeline (199 resamples: first stage and GPV re-run), the
  grade spectrum, the truncation losses and the exact grade-restricted LP for N ≤ 5; the six
  most frequent N (``--max-groups`` 6).
* ``latent-ipv``: the same with only what simple-fpa also computes (GPV pseudo-values and
  revenues with their intervals: ``lp_max_bidders`` 2, the smallest grid, no tests).
* ``simplefpa``: simple-fpa's pipeline as its README runs it: ``Model(...)``,
  ``residualize`` on the same covariates (continuous) and fixed effects (discrete),
  ``trim_residuals``, ``fit``, ``predict`` and ``make_cicb`` (its uniform confidence bands,
  1000 draws): every N pooled after residualisation.

The two do different amounts of work: the comparison says what a default run of each costs.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import pandas as pd  # noqa: E402

# simple-fpa logs every continuous covariate (np.log(c) in its formula): size enters as log
# size (as in ours); age (0..29) is shifted by 1 and quality logged — a slightly different
# specification for those two than ours (linear), the same regression size
CONT = ["size", "age1", "quality"]
DISC = ["region", "currency"]


def write(path: str) -> None:
    from latent.data.simulated import first_price_file
    first_price_file(seed=0).frame.to_csv(path, index=False)


def run_latent(path: str, ipv_only: bool = False) -> None:
    from latent.estimate.pipeline import estimate_rho
    extra = dict(lp_max_bidders=2, grid=3, tests=False, spectrum="grid") if ipv_only else {}
    rep = estimate_rho(path, format="long", auction_col="auction_id", bidder_col="bidder",
                       bid_col="bid", bids="first-price",
                       covariates="log(size),age,quality", fixed_effects="region,currency",
                       progress=False, seed=0, **extra)
    print(len(rep.groups), "groups")


def run_simplefpa(path: str) -> None:
    from simple_fpa import Model
    data = pd.read_csv(path).rename(columns={"auction_id": "auctionid"})  # its fixed name
    data["age1"] = data["age"] + 1.0
    for col in DISC:  # categorical: its formula treats them as C(...) levels
        data[col] = "L" + data[col].astype(str)
    with contextlib.redirect_stdout(io.StringIO()):
        m = Model(data=data, auctionid_columns=["auctionid"], bid_column="bid")
        m.residualize(CONT, DISC, model_type="multiplicative")
        m.trim_residuals(5)
        m.fit(smoothing_rate=0.2, trim_percent=5, boundary="reflect")
        m.predict()
        m.make_cicb(0.95, draws=1000)
    print("simple-fpa done")


if __name__ == "__main__":
    what, path = sys.argv[1], sys.argv[2]
    {"write": write, "latent": run_latent, "latent-ipv": lambda p: run_latent(p, True),
     "simplefpa": run_simplefpa}[what](path)
