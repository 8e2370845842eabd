"""``latent.learn``: optimise truthful-by-construction single-item mechanism families on
samples and audit the best of each on a held-out sample.

>>> r = learn(values="uniform", bidders=2, trials=1, families="posted_price", train=500,
...           valid=500, test_samples=2000, regret_samples=0, seed=1)
>>> r.to_frame()["mechanism"].unique().tolist()
['posted_price', 'vickrey', 'myerson']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from tqdm import tqdm

from latent.anova import GradeSpectrum, grade_spectrum_mc
from latent.anova.mc import evaluations_per_sample
from latent.api.common import int_seed, negated_keyword
from numerics.learn import FAMILIES, Family, SweepConfig, export
from numerics.learn import learn as run_learn
from numerics.learn.pipeline import LearnReport
from numerics.learn.pipeline import baselines as baseline_mechanisms
from numerics.learn.sweep import OPTUNA_MISSING, connect, optuna_available
from numerics.results import Result, jsonable, new_axes
from numerics.validate import (
    choice,
    max_workers,
    memory_budget,
    positive_int,
    size_budget,
    size_float,
    work_budget,
)
from numerics.valuations import parse_profile

__all__ = ["LearnResult", "allocation_spectrum", "learn"]

SAMPLERS = ("random", "optuna")
# Passes over the training values in one fit, in evaluations: the optimiser's iterations
# (maxiter 150 of the sweep) times its line-search and finite-difference calls, each a
# vectorised smoothed revenue of a few numpy operations per value. Calibrated: the README's
# 4-bidder, 10-trial example (2.4·10^9 evaluations by this count) takes about 28 s.
FIT_PASSES = 3000
REGRET_POINTS = 64 * 3  # the held-out audit's misreport grid and its two refinements


def allocation_spectrum(mech, profile, samples: int = 20_000, seed=0,
                        max_grade: int = 4) -> GradeSpectrum:
    """Monte Carlo grade spectrum of x(v) (vector of the N allocation probabilities) with the
    bidders' values drawn independently from the profile's marginals.

    Parameters
    ----------
    mech : mechanism object
        A single-item mechanism of :mod:`numerics.learn` or :mod:`numerics.mechanisms`.
    profile : value profile
        The bidders' laws (their marginals are used, independently).
    samples : int
        Monte Carlo samples.
    seed : int, numpy.random.SeedSequence or numpy.random.Generator
        Same seed, same numbers.
    max_grade : int
        Highest grade estimated (at most the number of bidders).

    Returns
    -------
    GradeSpectrum

    Examples
    --------
    >>> from numerics.learn import ReserveSecondPrice
    >>> from numerics.valuations import Uniform, iid
    >>> s = allocation_spectrum(ReserveSecondPrice((0.5, 0.5)), iid(Uniform(), 2), 2000, 1)
    >>> s.n_inputs, s.max_grade
    (2, 2)
    """
    n = profile.n_bidders
    return grade_spectrum_mc(lambda v: mech.allocation(v[:, :, None])[:, :, 0],
                             list(profile.marginals), n, max_grade=min(max_grade, n),
                             samples=samples, seed=int_seed(seed), progress=False)


@dataclass(frozen=True, kw_only=True)
class LearnResult(Result):
    """The learning run (``report``: held-out evaluations of the best trial of each family and
    of the baselines, every mean with a 95% CI; the best trials; the trial count) and, with
    ``spectrum``, the grade spectrum of each allocation rule."""

    report: LearnReport
    spectra: dict  # mechanism -> GradeSpectrum (empty without spectrum=True)
    profile: dict | None = None  # the value model, tastes included (printed with the results)

    @property
    def study(self) -> str:
        return self.report.config["study"]

    @property
    def evaluations(self) -> tuple:
        return self.report.evaluations

    def to_dict(self) -> dict:
        """The ``--json`` document."""
        out = self.report.to_dict()
        if self.profile is not None:
            out["profile"] = self.profile
        if self.spectra:
            out["spectra"] = {k: s.to_dict() for k, s in self.spectra.items()}
        return jsonable(out)

    def to_frame(self) -> pd.DataFrame:
        """One row per mechanism × metric (held-out test sample): ``metric`` (revenue,
        efficiency, regret, ir_violations and, with spectra, rho), ``value``, ``ci_low``,
        ``ci_high`` (95%; NaN where there is none), ``units`` and ``detail`` (ρ's verdict)."""
        nan = float("nan")
        units = {"revenue": "value per auction", "efficiency": "share",
                 "regret": "value per bidder", "ir_violations": "share of bidders"}
        rows = []
        for e in self.report.evaluations:
            for k in ("revenue", "efficiency", "regret", "ir_violations"):
                est = getattr(e, k)
                if est is None:
                    continue
                lo, hi = (nan, nan) if est.ci is None else tuple(est.ci)
                rows.append({"mechanism": e.mechanism, "metric": k, "value": est.mean,
                             "ci_low": lo, "ci_high": hi, "units": units[k], "detail": ""})
            if e.mechanism in self.spectra:
                fit = self.spectra[e.mechanism].rho()
                lo, hi = (nan, nan) if fit.rho_ci is None else tuple(fit.rho_ci)
                rows.append({"mechanism": e.mechanism, "metric": "rho", "value": fit.rho,
                             "ci_low": lo, "ci_high": hi, "units": "ratio",
                             "detail": fit.verdict})
        return pd.DataFrame(rows, columns=["mechanism", "metric", "value", "ci_low", "ci_high",
                                           "units", "detail"])

    def plot(self, ax=None):
        """Held-out revenue of each mechanism with its 95% CI; returns the axes."""
        ax = new_axes(ax)
        ev = self.report.evaluations
        ax.bar(range(len(ev)), [e.revenue.mean for e in ev],
               yerr=[e.revenue.half_width for e in ev], capsize=4, color="tab:blue")
        ax.set_xticks(range(len(ev)), [e.mechanism for e in ev], rotation=30, ha="right")
        ax.set_ylabel("revenue (held-out, 95% CI)")
        ax.set_title(self.study)
        return ax

    def __str__(self) -> str:
        r = self.report
        lines = [f"study {self.study}: {r.n_trials} trials logged in {r.storage}",
                 "held-out test sample; every number: mean ± 95% CI half-width"]
        if self.profile and "w" in self.profile:  # the latent-factor model's fixed tastes
            w = "; ".join(", ".join(f"{x:.3f}" for x in row) for row in self.profile["w"])
            lines.insert(1, f"latent-factor tastes w (taste seed {self.profile['w_seed']}): {w}")
        head = (f"{'mechanism':<24} {'revenue':>18} {'efficiency':>18} {'regret':>18} "
                f"{'IR viol.':>8}")
        lines.append(head + ("  ρ (grade decay)" if self.spectra else ""))
        for e in r.evaluations:
            line = (f"{e.mechanism:<24} {_fmt(e.revenue):>18} {_fmt(e.efficiency):>18} "
                    f"{_fmt(e.regret):>18} {e.ir_violations.mean:>8.4f}")
            if e.mechanism in self.spectra:
                fit = self.spectra[e.mechanism].rho()
                line += f"  {fit.rho:.3g} ({fit.verdict})"
            lines.append(line)
        res = [e.regret_resolution for e in r.evaluations if e.regret_resolution is not None]
        if res:
            lines.append(f"regret search resolution ≤ {max(res):.3g} (misreport grid 64 + 2 "
                         "refinements)")
        return "\n".join(lines)


def _fmt(est) -> str:
    return "n/a" if est is None else f"{est.mean:.4f} ± {est.half_width:.4f}"


def _families(families) -> tuple:
    if not isinstance(families, str | Iterable):
        raise TypeError(f"families={families!r}: a family name, 'a,b' or a list of names "
                        f"(from {', '.join(FAMILIES)})")
    raw = families.split(",") if isinstance(families, str) else list(families)
    fams = tuple(f.strip() for f in raw if isinstance(f, str) and f.strip())
    bad = [f for f in raw if not isinstance(f, str) or f.strip() not in FAMILIES and f.strip()]
    if bad or not fams:
        raise ValueError(f"families={families!r}: unknown {bad or 'empty'}; choose from "
                         f"{', '.join(FAMILIES)}")
    return fams


def _check_cost(bidders, trials, n_mechs, train, valid, test_samples, regret_samples,
                spectrum_samples, max_work, max_memory) -> None:
    """Refuse before any sampling what would exceed ``max_work`` or ``max_memory``. Each trial
    fits on the training profiles (:data:`FIT_PASSES` passes over train × N values) and scores
    the validation profiles once; each audited mechanism runs the test profiles and, per
    regret profile, :data:`REGRET_POINTS` misreports per bidder; the spectra cost their
    pick–freeze evaluations. Every term is first checked at N = 2 (naming its own size), then
    the sum at N bidders (naming ``bidders``). Held at once: the training and validation
    profiles with two working copies, a 16 384-profile test batch and the regret search's
    1024 × 64 misreports per bidder."""
    def terms(n):
        per = evaluations_per_sample(n, int(min(4, n)), n) if spectrum_samples else 0
        return (("train", train, float(trials) * train * n * FIT_PASSES),
                ("valid", valid, float(trials) * valid * n),
                ("test_samples", test_samples, float(n_mechs) * test_samples * n),
                ("regret_samples", regret_samples,
                 float(n_mechs) * regret_samples * n * n * REGRET_POINTS),
                ("spectrum_samples", spectrum_samples,
                 float(n_mechs) * spectrum_samples * per * n))

    # each trial fits at least a minimal sample: too many trials is named as such
    size_budget("trials", trials, float(trials) * 2 * FIT_PASSES, max_work=max_work)
    for name, value, work in terms(2):
        work_budget(name, value, work, max_work=max_work, lower=("trials",))
    n = size_float(bidders)  # any size: the sums below stay floats (+inf beyond a float)
    work_budget("bidders", bidders, sum(w for _, _, w in terms(n)), max_work=max_work)

    def held(n):
        return 8.0 * n * (3 * (train + valid) + 10 * 16384 + 4 * 1024 * 64)

    memory_budget("train", train, held(2),
                  max_memory=max_memory)
    memory_budget("bidders", bidders, held(n), max_memory=max_memory)


def learn(*, values: str, bidders: int, trials: int = 10, families=FAMILIES,
          storage: str = ":memory:", sampler: str = "random", train: int = 20_000,
          valid: int = 50_000, test_samples: int = 100_000, regret_samples: int = 2_000,
          baselines: bool = True, spectrum: bool = False, spectrum_samples: int = 20_000,
          export_csv: str | None = None, export_json: str | None = None, seed=0,
          taste_seed: int = 0, workers: int = 1, progress: bool = False,
          max_work: float | None = None, max_memory: float | str | None = None,
          no_baselines: bool | None = None) -> LearnResult:
    """Optimise truthful-by-construction single-item mechanism families on samples and audit the
    best of each on a held-out sample.

    The families (second price with per-bidder reserves, affine maximizers, the lookahead auction,
    posted and sequential posted prices) are threshold rules: dominant-strategy truthful and
    ex-post IR for every parameter. A sweep of ``trials`` trials (families in turn; hyperparameters
    by random search, or Optuna) fits on ``train`` profiles, scores on ``valid`` ones and logs
    every trial to ``storage``; the best trial of each family is audited on ``test_samples``
    profiles next to Vickrey and Myerson on the marginals. The Python form of
    ``python -m latent learn``: every keyword is the flag of the same name (``--no-baselines`` is
    ``baselines=False``), with the same default.

    Parameters
    ----------
    values : str
        Value law, as in :func:`latent.simulate` (``"uniform"``, ``"latent:1:1:0.05:1"``, one
        law per bidder separated by ``;`` …); required.
    bidders : int
        Number of bidders; required.
    trials : int
        Sweep trials.
    families : str or sequence of str
        A subset of :data:`numerics.learn.optimise.FAMILIES` (``"a,b"`` or a list).
    storage : str
        ``"sqlite:///FILE.db"`` (resumable: a rerun skips logged trials) or ``":memory:"``.
    sampler : {"random", "optuna"}
        Hyperparameter search (``"optuna"``: the optional ``learn`` extra).
    train, valid, test_samples : int
        Training, validation and held-out test profiles.
    regret_samples : int
        Profiles of the regret search (0 skips it).
    baselines : bool
        Audit Vickrey and Myerson beside the learned mechanisms.
    spectrum : bool
        Add the grade spectrum and ρ of each allocation rule.
    spectrum_samples : int
        Monte Carlo samples of that spectrum.
    export_csv, export_json : str, optional
        Write the trials there (needs a ``sqlite:///`` storage).
    seed : int, numpy.random.SeedSequence or numpy.random.Generator
        Same seed, same numbers.
    taste_seed : int
        Seed of the latent-factor model's tastes (or W_SEED in the law), never ``seed``.
    workers : int
        Processes of the held-out audit.
    progress : bool
        A progress bar over the trials on stderr.
    max_work : float, optional
        Refuse a request estimated above this many evaluations, before any sample is drawn.
    max_memory : float or str, optional
        Refuse a request estimated to hold more bytes at once (``"4G"``).
    no_baselines : bool, optional
        Deprecated spelling of ``baselines=False`` (warns; removed in the next release).

    Returns
    -------
    LearnResult
        Held-out evaluations with CIs, the best trials, optional spectra; ``to_dict()``,
        ``to_frame()``, ``plot()``.

    Raises
    ------
    ValueError
        A bad argument, named (an unopenable storage, an unknown family), or a request above
        ``max_work``/``max_memory``.
    TypeError
        An argument of the wrong kind.

    Examples
    --------
    >>> r = learn(values="uniform", bidders=2, trials=1, families=["posted_price"], train=500,
    ...           valid=500, test_samples=2000, regret_samples=0, baselines=False)
    >>> len(r.evaluations), r.to_dict()["n_trials"]
    (1, 1)
    """
    baselines = negated_keyword("learn", "no_baselines", no_baselines, "baselines", baselines,
                                True)
    bidders = positive_int("bidders", bidders)
    trials = positive_int("trials", trials, minimum=0)
    train = positive_int("train", train, minimum=2)
    valid = positive_int("valid", valid, minimum=2)
    test_samples = positive_int("test_samples", test_samples, minimum=2)
    regret_samples = positive_int("regret_samples", regret_samples, minimum=0)
    spectrum_samples = positive_int("spectrum_samples", spectrum_samples, minimum=2)
    workers = positive_int("workers", workers, maximum=max_workers())
    taste_seed = positive_int("taste_seed", taste_seed, minimum=0)
    sampler = choice("sampler", sampler, SAMPLERS)
    if sampler == "optuna" and not optuna_available():  # never a random search stored as optuna
        raise ValueError(f"sampler='optuna': {OPTUNA_MISSING}")
    fams = _families(families)
    if not isinstance(storage, str):
        raise TypeError(f"storage={storage!r}: a string, sqlite:///FILE.db or ':memory:'")
    if (export_csv or export_json) and storage == ":memory:":
        raise ValueError("export_csv/export_json: need a storage='sqlite:///FILE.db'")
    master = int_seed(seed)
    _check_cost(bidders, trials, len(fams) + (2 if baselines else 0), train, valid,
                test_samples, regret_samples, spectrum_samples if spectrum else 0, max_work,
                max_memory)
    if not isinstance(values, str):
        raise TypeError(f"values={values!r}: a distribution spec such as 'uniform'")
    try:  # before any work: a storage that cannot be opened or is not a database
        connect(storage).close()
    except ValueError as exc:
        raise ValueError(f"storage={storage!r}: {exc}") from None
    try:
        profile = parse_profile(values, bidders, seed=taste_seed)
    except (OverflowError, MemoryError):
        raise ValueError(f"bidders={bidders}: too large") from None
    except (ValueError, KeyError) as exc:
        raise ValueError(f"values={values!r}: {exc}") from None
    if getattr(profile, "n_items", 1) != 1:
        raise ValueError(f"values={values!r}: learn handles single-item settings only")
    cfg = SweepConfig(values, bidders, trials, master, fams, train, valid, sampler,
                      taste_seed=taste_seed)
    bar = tqdm(total=trials, desc="trials", leave=False) if progress else None
    try:
        report = run_learn(cfg, profile, storage, test_samples, regret_samples,
                           baselines, workers,
                           progress=(lambda k: bar.update(1)) if bar else None)
    finally:
        if bar:
            bar.close()
    if export_csv or export_json:
        con = connect(storage)
        export(con, export_csv, export_json, cfg.study)
        con.close()
    spectra = {}
    if spectrum:
        base = baseline_mechanisms(profile)
        for e in report.evaluations:
            mech = (base[e.mechanism] if e.mechanism in base
                    else Family(e.mechanism, profile).build(report.best[e.mechanism]["theta"]))
            spectra[e.mechanism] = allocation_spectrum(mech, profile, spectrum_samples, master)
    return LearnResult(report=report, spectra=spectra,
                       profile=profile.to_dict() if hasattr(profile, "to_dict") else None)
