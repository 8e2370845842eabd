"""Held-out evaluation of a fitted mechanism with the engine's audit (CIs on every number).

Revenue, efficiency (E welfare / E optimal welfare, delta-method CI) and the IR-violation rate
come from ``samples`` fresh profiles (engine seed ``seed``); ex-post regret (each bidder's best
gain on her OWN utility over misreports covering the value support, grid + local refinement;
resolution reported) from ``regret_samples`` further profiles (engine seed ``seed + 1``). The
samples are independent of the training and validation samples (different seeds).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numerics.audit import AuditResult, AuditTask, RegretSearch
from numerics.engine import EngineConfig, run
from numerics.stats import Estimate, Moments


@dataclass(frozen=True)
class Evaluation:
    """Audit of one mechanism on held-out profiles."""

    mechanism: str
    params: dict
    revenue: Estimate
    efficiency: Estimate
    ir_violations: Estimate
    regret: Estimate | None
    max_regret_observed: float | None
    regret_resolution: float | None
    monotonicity_violations: Estimate | None
    samples: int
    regret_samples: int

    def to_dict(self) -> dict:
        out = {}
        for k, v in self.__dict__.items():
            out[k] = v.to_dict() if hasattr(v, "to_dict") else v
        return out

    def __repr__(self) -> str:
        reg = (
            "not measured"
            if self.regret is None
            else f"{self.regret!r} (max {self.max_regret_observed:.2g}, "
            f"res. {self.regret_resolution:.3g})"
        )
        return (
            f"Evaluation({self.mechanism}: revenue {self.revenue!r}, efficiency "
            f"{self.efficiency!r}, IR violations {self.ir_violations!r}, regret {reg})"
        )


def evaluate(
    mech,
    profile,
    samples: int = 100_000,
    regret_samples: int = 2_000,
    seed: int = 0,
    search: RegretSearch | None = None,
    workers: int = 1,
    name: str | None = None,
    params: dict | None = None,
) -> Evaluation:
    """Audit ``mech`` on held-out profiles of ``profile`` (see module doc).

    >>> from numerics.learn.families import ReserveSecondPrice
    >>> from numerics.valuations import Uniform, iid
    >>> e = evaluate(ReserveSecondPrice((0.5, 0.5)), iid(Uniform(), 2), 20000, 200, seed=1)
    >>> lo, hi = e.revenue.ci; bool(lo < 5 / 12 < hi), e.regret.mean   # exact: 5/12
    (True, 0.0)
    """
    search = search or RegretSearch(grid=64, refine=2)
    cfg = EngineConfig("local", workers, batch_size=16384, progress=False)
    big = AuditResult.from_summary(run(AuditTask(mech, profile, None), samples, seed, cfg), None)
    reg = None
    if regret_samples > 0:
        cfg_r = EngineConfig("local", workers, batch_size=1024, progress=False)
        summ = run(AuditTask(mech, profile, search, chunk=1024), regret_samples, seed + 1, cfg_r)
        reg = AuditResult.from_summary(summ, search)
    return Evaluation(
        mechanism=name or getattr(mech, "name", "mechanism"),
        params=params or {},
        revenue=big.revenue,
        efficiency=big.efficiency,
        ir_violations=big.ir_violations,
        regret=None if reg is None else reg.regret,
        max_regret_observed=None if reg is None else reg.max_regret_observed,
        regret_resolution=None if reg is None else reg.regret_resolution,
        monotonicity_violations=None if reg is None else reg.monotonicity_violations,
        samples=samples,
        regret_samples=regret_samples,
    )


def paired_difference(mech_a, mech_b, profile, samples: int = 100_000, seed: int = 0,
                      chunk: int = 16384) -> Estimate:
    """Revenue(a) − revenue(b) on the SAME profiles (common random numbers), with a CI.

    >>> from numerics.learn.families import ReserveSecondPrice
    >>> from numerics.valuations import Uniform, iid
    >>> d = paired_difference(ReserveSecondPrice((0.5, 0.5)), ReserveSecondPrice((0.0, 0.0)),
    ...                       iid(Uniform(), 2), 20000, 1)
    >>> lo, hi = d.ci; bool(lo < 5 / 12 - 1 / 3 < hi)   # exact: 1/12
    True
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    total = None
    for start in range(0, samples, chunk):
        v = profile.sample(rng, min(chunk, samples - start))
        d = mech_a.payments(v).sum(axis=1) - mech_b.payments(v).sum(axis=1)
        m = Moments.of(d.reshape(-1, 1))
        total = m if total is None else total.merge(m)
    return total.estimate(0)
