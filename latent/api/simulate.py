"""``latent.simulate``: Monte Carlo revenue, welfare, efficiency and incentive audit of a mechanism.

The one composition of the value model (:func:`numerics.valuations.parse_profile`), the
mechanism (:func:`numerics.mechanisms.make_mechanism`), the audit
(:class:`numerics.audit.AuditTask`) and the seeded engine (:func:`numerics.engine.run`), used
by ``python -m latent simulate``, the seed-004 reproduction and the benchmarks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from latent.results import Result, jsonable, new_axes
from numerics.audit import AuditResult, AuditTask, RegretSearch
from numerics.engine import EXECUTORS, EngineConfig, run
from numerics.engine import samples as engine_samples
from numerics.mechanisms import enumerated_assignments, gsp_ctrs, make_mechanism
from numerics.seeding import fresh_sequence, seed_label, stable_seed
from numerics.validate import (
    choice,
    finite_float,
    max_workers,
    memory_budget,
    positive_int,
    size_budget,
    size_float,
    work_budget,
)
from numerics.valuations import LatentFactorProfile, parse_profile

__all__ = ["ITEM_KINDS", "METRICS", "Simulation", "bids_frame", "simulate"]

ITEM_KINDS = ("additive", "unit_demand", "complements")
METRICS = (  # (attribute of AuditResult, label of the text table, unit note)
    ("revenue", "revenue", ""),
    ("welfare", "welfare", ""),
    ("optimal_welfare", "optimal welfare", ""),
    ("efficiency", "efficiency", ""),
    ("regret", "regret (mean per bidder)", ""),
    ("regret_max_bidder", "regret (max over bidders)", ""),
    ("ir_violations", "IR violations", " (share of bidders)"),
    ("feasibility_violations", "feasibility violations", " (share of profiles)"),
    ("monotonicity_violations", "monotonicity violations", " (share of bidders)"),
)
TEXT_ROWS = tuple(m for m in METRICS if m[0] != "optimal_welfare")
UNITS = {"revenue": "value per auction", "welfare": "value per auction",
         "optimal_welfare": "value per auction", "efficiency": "share",
         "regret": "value per bidder", "regret_max_bidder": "value per bidder",
         "ir_violations": "share of bidders", "feasibility_violations": "share of profiles",
         "monotonicity_violations": "share of bidders"}


def bids_frame(values: np.ndarray) -> pd.DataFrame:
    """Profiles (S, N, M) as the wide table ``auction_id, bidder_1, …`` (``bidder_i_item_m``
    for M > 1 items), auction ids 1…S — the layout ``estimate_rho`` reads.

    Parameters
    ----------
    values : numpy.ndarray
        Profiles, shape (S, N, M).

    Returns
    -------
    pandas.DataFrame
        One row per auction.

    Examples
    --------
    >>> bids_frame(np.array([[[0.5], [0.25]]])).to_dict("records")
    [{'auction_id': 1, 'bidder_1': 0.5, 'bidder_2': 0.25}]
    """
    s, n, m = values.shape
    head = ([f"bidder_{i + 1}" for i in range(n)] if m == 1 else
            [f"bidder_{i + 1}_item_{j + 1}" for i in range(n) for j in range(m)])
    frame = pd.DataFrame(values.reshape(s, -1), columns=head)
    frame.insert(0, "auction_id", np.arange(1, s + 1))
    return frame


@dataclass(frozen=True, kw_only=True)
class Simulation(Result):
    """An audited simulation: the :class:`~numerics.audit.AuditResult` (revenue, welfare,
    efficiency, regret, IR/feasibility/monotonicity rates, each an ``Estimate`` with a 95% CI)
    and how it was made. Metrics are also attributes (``sim.revenue``); ``bids`` holds the
    simulated profiles as a wide DataFrame when asked for (``keep_bids=True``).
    """

    audit: AuditResult
    mechanism: dict
    values: dict
    seed: object
    engine: dict
    name: str
    bidders: int
    items: int
    values_spec: str
    regret_grid: int
    refine: int
    pairwise_monotonicity: dict | None = None
    bids: pd.DataFrame | None = field(default=None, compare=False, repr=False)

    def __getattr__(self, name: str):
        if name != "audit" and "audit" in self.__dict__ and hasattr(self.audit, name):
            return getattr(self.audit, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def to_dict(self) -> dict:
        """The ``--json`` document of ``python -m latent simulate``."""
        out = self.audit.to_dict()
        out.update(mechanism=self.mechanism, values=self.values, seed=self.seed,
                   engine=self.engine)
        if self.pairwise_monotonicity is not None:
            out["pairwise_monotonicity"] = self.pairwise_monotonicity
        return jsonable(out)

    def to_frame(self) -> pd.DataFrame:
        """One row per metric: metric, value, ci_low, ci_high, units, n (unmeasured metrics
        omitted)."""
        rows = []
        for attr, _, _ in METRICS:
            est = getattr(self.audit, attr)
            if est is None:
                continue
            rows.append({"metric": attr, "value": est.value,
                         "ci_low": float("nan") if est.ci is None else est.ci.low,
                         "ci_high": float("nan") if est.ci is None else est.ci.high,
                         "units": UNITS[attr], "n": est.n})
        return pd.DataFrame(rows, columns=["metric", "value", "ci_low", "ci_high", "units",
                                           "n"])

    def _repr_items(self) -> list:
        return [("mechanism", self.name), ("bidders", self.bidders), ("items", self.items),
                ("values", self.values_spec), ("profiles", self.audit.n_samples),
                ("revenue", self.audit.revenue.value), ("", self.audit.revenue.ci)]

    def plot(self, ax=None):
        """The measured metrics with their 95% CIs, one horizontal error bar per metric,
        grouped by units (value per auction, then shares); returns the axes (a new figure's
        when ``ax`` is None). The audit keeps running moments, not each profile's draws, so
        the picture is of the estimates and their uncertainty, not of distributions.

        >>> sim = simulate("second_price", bidders=2, samples=500, regret=False)
        >>> len(sim.plot().containers) == len(sim.to_frame())
        True
        """
        frame = self.to_frame().sort_values("units", kind="stable").reset_index(drop=True)
        ax = new_axes(ax)
        for k, r in frame.iterrows():
            lo = r["value"] - r["ci_low"] if r["ci_low"] == r["ci_low"] else 0.0
            hi = r["ci_high"] - r["value"] if r["ci_high"] == r["ci_high"] else 0.0
            ax.errorbar([r["value"]], [k], xerr=[[max(lo, 0.0)], [max(hi, 0.0)]], fmt="o",
                        capsize=3, color="C0" if r["units"] == UNITS["revenue"] else "C1")
        ax.set_yticks(range(len(frame)), [f"{m} ({u})" for m, u in
                                          zip(frame["metric"], frame["units"], strict=True)])
        ax.invert_yaxis()
        ax.set_xlabel("estimate with 95% CI")
        ax.set_title(f"{self.name}: {self.bidders} bidders, {self.audit.n_samples} profiles")
        return ax

    def __str__(self) -> str:
        r = self.audit
        lines = [f"{self.name}: {self.bidders} bidders, {self.items} item(s), values "
                 f"{self.values_spec}, {r.n_samples} profiles, seed {self.seed}"]
        for attr, label, unit in TEXT_ROWS:
            est = getattr(r, attr)
            if est is not None:
                lines.append(f"  {label:<24} {est.mean:>12.6g}   95% CI [{est.ci[0]:.6g}, "
                             f"{est.ci[1]:.6g}]{unit}")
        if r.regret_resolution is not None:
            lines.append(f"  regret search resolution {r.regret_resolution:.3g} (grid "
                         f"{self.regret_grid}, {self.refine} refinement rounds); max regret "
                         f"seen {r.max_regret_observed:.4g}")
        if self.pairwise_monotonicity is not None:
            lines.append(f"  pairwise rule monotone: {self.pairwise_monotonicity['monotone']}")
        if self.values.get("model") == "latent_factor":
            w = ", ".join(f"{x:.4g}" for x in np.ravel(self.values["w"]))
            lines.append(f"  latent-factor tastes w = [{w}] (taste seed "
                         f"{self.values['w_seed']}: fixed, not drawn from the sampling seed)")
        return "\n".join(lines)


# Multi-item outcomes cost more per value than single-item ones (measured up to 4×: the item
# loops of VCG and GSP; the item-wise rule's regret search, N = 3, M = 30, 10^4 samples: 16 s).
ITEM_SEARCH_COST = 4


def _profile(values, bidders, items, item_kind, synergy, taste_seed):
    if not isinstance(values, str):
        if not (hasattr(values, "sample") and hasattr(values, "marginals")):
            raise TypeError(f"values={values!r}: a law string (e.g. 'uniform') or a profile "
                            "(numerics.valuations)")
        return values
    try:
        return parse_profile(values, bidders, items, item_kind, synergy, seed=taste_seed)
    except (OverflowError, MemoryError):
        raise ValueError(f"bidders={bidders}: too large") from None
    except (ValueError, OSError) as exc:
        raise ValueError(f"values={values!r}: {exc}") from None


def _mechanism(mechanism, profile, bidders, items, reserve, price, ctrs, pairwise_reserve,
               ironed):
    if not isinstance(mechanism, str):
        if not hasattr(mechanism, "outcome"):
            raise TypeError(f"mechanism={mechanism!r}: a mechanism name or an object with "
                            ".outcome")
        return mechanism
    params = {}
    if reserve is not None:
        params["reserve"] = finite_float("reserve", reserve)
    if price is not None:
        params["price"] = finite_float("price", price)
    if ctrs is not None:  # checked here, so that a bad rate is blamed on ctrs
        params["ctrs"] = gsp_ctrs(ctrs, items)
    if mechanism == "pairwise":
        params.update(reserve=bool(pairwise_reserve), ironed=bool(ironed))
    try:
        return make_mechanism(mechanism, bidders, items, valuation=profile, **params)
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"mechanism={mechanism!r}: {exc}") from None


def simulate(
    mechanism="second_price",
    *,
    values="uniform",
    bidders: int = 3,
    items: int = 1,
    item_kind: str = "additive",
    synergy: float = 0.0,
    reserve: float | None = None,
    price: float | None = None,
    ctrs=None,
    pairwise_reserve: bool = False,
    ironed: bool = False,
    taste_seed: int = 0,
    samples: int = 10_000,
    seed=0,
    executor: str = "local",
    workers: int = 1,
    scheduler: str | None = None,
    batch_size: int | None = None,
    regret: bool = True,
    regret_grid: int = 64,
    refine: int = 2,
    keep_bids: bool = False,
    progress: bool | None = False,
    max_work: float | None = None,
    max_memory: float | None = None,
) -> Simulation:
    """Simulate ``samples`` auctions and audit the mechanism: revenue, welfare, efficiency, regret,
    IR, feasibility and monotonicity, each mean with a 95% CI.

    The Python form of ``python -m latent simulate``: every keyword is the flag of the same name
    (``--no-regret`` is ``regret=False``), with the same default.

    Parameters
    ----------
    mechanism : str or Mechanism
        A name of :func:`numerics.mechanisms.make_mechanism` (``"second_price"``, ``"myerson"``,
        ``"vcg"``, …) or a mechanism object.
    values : str or object
        A value law (``"uniform"``, ``"beta:2:5"``, ``"hetero"``,
        ``"latent[:D:SIGMA_Z:SIGMA_EPS:W_SEED]"``, one law per bidder separated by ``;`` …) or a
        profile object.
    bidders : int
        Number of bidders.
    items : int
        Number of items.
    item_kind : {"additive", "unit_demand", "complements"}
        Valuations over several items.
    synergy : float
        Bundle bonus (``item_kind="complements"``).
    reserve : float, optional
        Reserve price of ``second_price``.
    price : float, optional
        Price of ``posted_price`` and ``lottery``.
    ctrs : str or sequence of float, optional
        GSP click-through rates, non-increasing in [0, 1] (``"1,0.6,0.3"``).
    pairwise_reserve : bool
        ``pairwise``: a positive virtual value is needed to win.
    ironed : bool
        ``pairwise``: use ironed virtual values.
    taste_seed : int
        Seed of the latent-factor model's tastes (or W_SEED in the law), never ``seed``: the
        same law names the same model at every seed.
    samples : int
        Auctions simulated.
    seed : int, numpy.random.SeedSequence or numpy.random.Generator
        Same seed, same numbers, on every executor and worker count.
    executor : {"inline", "local", "dask"}
        Where the chunks run.
    workers : int
        Processes of the ``"local"``/``"dask"`` executor.
    scheduler : str, optional
        Address of a dask scheduler.
    batch_size : int, optional
        Profiles per chunk (default 2048 with the regret search, else 65536).
    regret : bool
        Search each bidder's best misreport (ex-post regret); False skips it.
    regret_grid : int
        Misreport grid points of that search.
    refine : int
        Local refinement rounds of that search.
    keep_bids : bool
        Keep the simulated profiles as ``.bids`` (a wide DataFrame; the CLI's ``--out``).
    progress : bool, optional
        A progress bar on stderr (None: when stderr is a terminal).
    max_work : float, optional
        Refuse a request estimated above this many evaluations.
    max_memory : float or str, optional
        Refuse a request estimated to hold more bytes at once (``"4G"``).

    Returns
    -------
    Simulation
        Each metric an estimate with its CI; ``to_dict()``, ``to_frame()``, ``bids``.

    Raises
    ------
    ValueError
        A bad argument, named, or a request above ``max_work``/``max_memory`` (refused before it
        runs).
    TypeError
        An argument of the wrong kind.

    Examples
    --------
    >>> import latent
    >>> sim = latent.simulate("second_price", bidders=2, samples=2000, regret=False, seed=1)
    >>> bool(sim.revenue.ci.low < 1 / 3 < sim.revenue.ci.high), sim.to_frame().shape
    (True, (6, 6))
    """
    executor = choice("executor", executor, EXECUTORS)
    samples = positive_int("samples", samples)
    workers = positive_int("workers", workers, maximum=max_workers())
    regret_grid = positive_int("regret_grid", regret_grid, minimum=2)
    refine = positive_int("refine", refine, minimum=0)
    taste_seed = positive_int("taste_seed", taste_seed, minimum=0)
    synergy = finite_float("synergy", synergy)
    item_kind = choice("item_kind", item_kind, ITEM_KINDS)
    if batch_size is not None:
        batch_size = positive_int("batch_size", batch_size)
    for name, flag in (("regret", regret), ("keep_bids", keep_bids)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name}={flag!r}: must be True or False")
    seed = stable_seed(seed)
    ss = fresh_sequence(seed)
    if isinstance(values, str):
        bidders = positive_int("bidders", bidders)
        items = positive_int("items", items)
        # before the value model is built (it holds per-bidder laws): one profile must fit
        name, value = ("items", items) if items > bidders else ("bidders", bidders)
        work_budget(name, value, float(bidders) * items, max_work=max_work,
                    what="values in one profile")
    profile = _profile(values, bidders, items, item_kind, synergy, taste_seed)
    bidders, items = profile.n_bidders, profile.n_items
    mech = _mechanism(mechanism, profile, bidders, items, reserve, price, ctrs,
                      pairwise_reserve, ironed)
    search = RegretSearch(grid=regret_grid, refine=refine) if regret else None
    batch = batch_size or (2048 if search else 65536)
    # Cost before work: every profile's values once, and the misreport search's grid points
    # (refine rounds each) per bidder; held at once: a batch of the search's candidate bids.
    # a mechanism that solves a problem per profile (VCG by assignment) costs more than its
    # N·M values per outcome (Mechanism.profile_cost)
    solver = float(getattr(mech, "profile_cost", lambda: 0.0)())
    per_outcome = max(float(bidders) * items, solver)
    solved = f", {solver:.3g} per outcome ({getattr(mech, 'name', 'mechanism')})" \
        if solver > float(bidders) * items else ""
    size_budget(*(("bidders", bidders) if bidders >= items else ("items", items)),
                per_outcome, max_work=max_work)
    work_budget("samples", samples, float(samples) * per_outcome, max_work=max_work,
                what=f"evaluations ({samples} samples × {bidders} bidders × {items} "
                     f"items{solved})",
                lower=("bidders", "items") if items > 1 else ("bidders",))
    if search:
        # numerics.audit.bidder_regret: for each bidder, every grid point (and refinement
        # round; with M > 1 items, the joint move and each item's coordinate instead) is one
        # outcome of the whole batch, N·M values each (an item-wise rule's coordinate moves
        # run one item's auction: N values)
        separable = items > 1 and mech.item_rule(0) is not None
        moves = 1 + refine if items == 1 else 2 if separable else 1 + items
        per_value = 1 if items == 1 else ITEM_SEARCH_COST
        costlier = f" × {per_value} (multi-item cost per value)" if per_value > 1 else ""
        work_budget("regret_grid", regret_grid, float(samples) * bidders * regret_grid * moves
                    * max(float(bidders) * items * per_value, solver), max_work=max_work,
                    what=f"evaluations ({samples} samples × {bidders} bidders searched × "
                         f"{regret_grid} grid points × {moves} moves × {bidders * items} "
                         f"values{costlier}{solved})",
                    lower=("samples", "items") if items > 1 else ("samples",))
    if search:
        memory_budget("regret_grid", regret_grid, 8.0 * 4 * min(batch, samples) * regret_grid
                      * bidders * items, max_memory=max_memory)
    # a batch of profiles, its outcomes and their working copies (about ten such arrays);
    # named after --batch-size when it was chosen, else after the larger of --bidders and
    # --items (the default batch: bidders × items values per profile)
    culprit = (("batch_size", batch_size) if batch_size else
               ("items", items) if items > bidders else ("bidders", bidders))
    memory_budget(*culprit, 8.0 * 10 * min(batch, samples) * bidders * items,
                  max_memory=max_memory)
    if keep_bids:
        memory_budget("samples", samples, 8.0 * samples * bidders * items,
                      max_memory=max_memory)
    # Exact winner determination (combinatorial VCG, optimal welfare of non-additive values)
    # values every assignment of items to bidders, (N+1)^M of them, for each profile (and each
    # candidate misreport); a batch's (profiles, assignments, bidders) table is held at once.
    kind = getattr(profile, "kind", "additive")
    assignments = size_float(enumerated_assignments(mech, bidders, items)
                             + enumerated_assignments(None, bidders, items, kind))
    if assignments:
        rounds = regret_grid * (1 + refine) if search else 1
        work_budget("items", items, float(samples) * rounds * assignments * bidders * items,
                    max_work=max_work, what=f"evaluations ({assignments:.3g} assignments of "
                                            f"{items} items per profile)",
                    lower=("samples", "bidders"))
        memory_budget("items", items, 8.0 * 3 * min(batch, samples) * (regret_grid if search
                                                                       else 1)
                      * assignments * (bidders + items), max_memory=max_memory)
    cfg = EngineConfig(executor, workers, batch, scheduler, progress=progress)
    task = AuditTask(mech, profile, search)
    try:
        summary = run(task, samples, ss, cfg)
    except OSError as exc:
        raise ValueError(f"executor={executor!r}: {exc}") from exc
    bids = None
    if keep_bids:
        bids = bids_frame(np.concatenate(list(engine_samples(task, samples, ss, batch)), axis=0))
    mono = mech.monotonicity().to_dict() if hasattr(mech, "monotonicity") else None
    if isinstance(values, str):
        spec = values
    elif isinstance(profile, LatentFactorProfile):
        spec = "latent"
    else:
        spec = type(profile).__name__
    return Simulation(audit=AuditResult.from_summary(summary, search), mechanism=mech.to_dict(),
                      values=jsonable(profile.to_dict()), seed=seed_label(seed),
                      engine=cfg.to_dict(), name=getattr(mech, "name", "mechanism"),
                      bidders=bidders, items=items, values_spec=spec,
                      regret_grid=regret_grid, refine=refine, pairwise_monotonicity=mono,
                      bids=bids)
