"""The ρ-landscape of auction formats (the table of formats of the *Latent mechanism design*
papers: claimed grade, ρ and revenue per format), measured.

For each :class:`~latent.studies.formats.Format`: the Monte Carlo grade spectrum of the
allocation rule (grades over bidders; a bidder's type is her value vector), the grade-decay ρ
with per-grade ratios ρ_r = √(W_r/W_{r+1}), revenue E Σ_i p_i and efficiency
E[welfare]/E[optimal welfare], each with a 95% CI, beside the papers' ("seed") claimed grade /
ρ / revenue. The latent-factor model's tastes come from a fixed ``taste_seed``, never from the
sampling ``seed``: a row label names the same model at every seed. A spectrum whose W_r
(r ≥ 2) is identically 0 on every sample (additive rule) is reported as grade 1, ρ = ∞ (structural).

:func:`landscape` runs the table; :func:`smoothness` runs one format under several laws
(the claim "ρ is controlled by the smoothness of F"). Spectra may run in chunks on the local
process pool or on Dask (``numerics.engine``), pooled by :func:`latent.anova.pooling.pool_spectra`.
"""

from __future__ import annotations

import math
import os
import textwrap
import time
import warnings
from contextlib import closing
from dataclasses import dataclass, replace
from functools import lru_cache, partial

import numpy as np
import pandas as pd

from latent.anova import grade_spectrum_mc
from latent.anova.owen import adaptive_spectrum, owen_evaluations_per_sample
from latent.anova.pooling import SpectrumChunks, pool_spectra
from latent.anova.rho import RhoFit
from latent.anova.spectrum import GradeSpectrum
from latent.results import TEXT_WIDTH, Result, jsonable, new_axes
from latent.studies.formats import FORMATS, SMOOTHNESS_LAWS, Format, build
from latent.studies.knee import exact_frontier
from numerics import engine
from numerics.seeding import child_sequence, fresh_sequence, seed_label, stable_seed
from numerics.stats import Estimate, Moments

QUICK = {"samples": 3000, "rev_samples": 20000, "max_grade": 4}
FULL = {"samples": 40000, "rev_samples": 200000, "max_grade": 5}
TASTE_SEED = 0  # the latent-factor model's tastes w: part of the model, not of the sampling


def _fmt(e: float, ci) -> str:
    if ci is None:
        return f"{e:.4g} (exact)"
    return f"{e:.4g} [{ci[0]:.3g}, {ci[1]:.3g}]"


@dataclass(frozen=True, kw_only=True)
class LandscapeRow(Result):
    """One measured format: spectrum, ρ, revenue, efficiency, and the seed's claims.
    ``seconds``: the wall time the row took (on a pool or a cluster the formats' spectra run as
    one queue, and a row counts the wait for its own spectrum plus its revenue run)."""

    format: Format
    spectrum: GradeSpectrum
    rho: RhoFit
    structurally_additive: bool
    revenue: Estimate
    efficiency: Estimate
    seconds: float
    input_note: str

    @property
    def measured_grade(self) -> str:
        """Highest grade whose W_r is resolved (CI above 0); "≥R" when the tail is resolved."""
        if self.structurally_additive:
            return "1 (W_r≡0, r≥2)"
        ci = self.spectrum.energies_ci
        res = [r for r in range(1, self.spectrum.max_grade + 1) if ci[r][0] > 0]
        top = max(res) if res else 0
        tci = self.spectrum.tail_ci
        if self.spectrum.max_grade < self.spectrum.n_inputs and tci and tci[0] > 0:
            return f">{self.spectrum.max_grade}"
        return str(top)

    @property
    def rho_value(self) -> tuple[float, tuple | None]:
        if self.structurally_additive:
            return math.inf, None
        return self.rho.rho, self.rho.rho_ci

    def rho_text(self) -> str:
        r, ci = self.rho_value
        if math.isinf(r):
            return "∞ (structural)"
        if math.isnan(r):
            return f"n/a ({self.rho.verdict})"
        return _fmt(r, ci) if ci else f"{r:.4g} (no CI)"

    def to_dict(self) -> dict:
        s = self.spectrum
        r, rci = self.rho_value
        return {
            "format": self.format.key, "label": self.format.label,
            "mechanism": self.format.mechanism, "values": self.format.values,
            "bidders": self.format.n, "items": self.format.m,
            "claimed": {"grade": self.format.claimed_grade, "rho": self.format.claimed_rho,
                        "revenue": self.format.claimed_revenue},
            "measured_grade": self.measured_grade,
            "rho": "inf" if math.isinf(r) else r, "rho_ci": rci,
            "rho_structural": self.structurally_additive,
            "rho_verdict": self.rho.verdict,
            "rho_ratios": dict(zip([f"rho_{g}" for g in self.rho.ratio_grades],
                                   self.rho.ratios, strict=True)),
            "rho_ratios_ci": None if self.rho.ratios_ci is None else dict(
                zip([f"rho_{g}" for g in self.rho.ratio_grades],
                    [list(c) for c in self.rho.ratios_ci], strict=True)),
            "energies": list(s.energies[1:]), "energies_ci": [list(c) for c in
                                                              s.energies_ci[1:]],
            "variance": s.variance, "variance_ci": list(s.variance_ci),
            "tail": s.tail, "tail_ci": list(s.tail_ci) if s.tail_ci else None,
            "mean_dimension": s.mean_dimension, "mean_dimension_ci": s.mean_dimension_ci,
            "revenue": self.revenue.mean, "revenue_ci": list(self.revenue.ci),
            "efficiency": self.efficiency.mean, "efficiency_ci": list(self.efficiency.ci),
            "samples": s.samples, "evaluations": s.evaluations, "seconds": self.seconds,
            "inputs": self.input_note, "ci_method": s.ci_method,
            **({} if s.target_rel_ci is None else {
                "target_rel_ci": s.target_rel_ci, "resolved_grades": list(s.resolved),
                "unresolved_grades": list(s.unresolved)}),
        }

    def long_records(self) -> list[dict]:
        """The row in long format (see :meth:`LandscapeResult.to_frame`)."""
        s, f = self.spectrum, self.format
        nan = float("nan")
        base = {"format": f.key, "label": f.label, "mechanism": f.mechanism,
                "values": f.values, "bidders": f.n, "items": f.m}
        out = []

        def add(quantity, value, ci=None, units="", claim="", detail=""):
            out.append({**base, "quantity": quantity, "value": float(value),
                        "ci_low": nan if ci is None else float(ci[0]),
                        "ci_high": nan if ci is None else float(ci[1]), "units": units,
                        "claim": claim, "detail": detail})

        grade = self.measured_grade
        add("grade", float(grade) if grade.isdigit() else nan, units="grade",
            claim=f.claimed_grade, detail=grade)
        r, rci = self.rho_value
        add("rho", r, rci, "ratio", f.claimed_rho, self.rho.verdict)
        for k, g in enumerate(self.rho.ratio_grades):
            add(f"rho_{g}", self.rho.ratios[k],
                None if self.rho.ratios_ci is None else self.rho.ratios_ci[k], "ratio")
        unresolved = "" if s.target_rel_ci is None else (
            "unresolved grades " + ",".join(map(str, s.unresolved)) if s.unresolved else
            "resolved")
        for g in range(1, s.max_grade + 1):
            add(f"W_{g}", s.energies[g], s.energies_ci[g], "allocation²",
                detail=unresolved if s.target_rel_ci is not None and g in s.unresolved else "")
        add("tail", s.tail, s.tail_ci, "allocation²")
        add("variance", s.variance, s.variance_ci, "allocation²")
        add("mean_dimension", s.mean_dimension, s.mean_dimension_ci, "grade")
        add("revenue", self.revenue.mean, self.revenue.ci, "value per auction",
            f.claimed_revenue)
        add("efficiency", self.efficiency.mean, self.efficiency.ci, "share")
        return out

    def record(self, max_grade: int | None = None, ratio_grades=None) -> dict:
        """The row as flat numbers (one value per cell): grades, ρ ratios and CIs as columns
        (``max_grade``, ``ratio_grades``: columns to fill, NaN where this row has none)."""
        s, f = self.spectrum, self.format
        nan = float("nan")
        r, rci = self.rho_value
        out = {"format": f.key, "label": f.label, "mechanism": f.mechanism,
               "values": f.values, "bidders": f.n, "items": f.m,
               "measured_grade": self.measured_grade, "rho": r,
               "rho_ci_low": nan if rci is None else rci[0],
               "rho_ci_high": nan if rci is None else rci[1],
               "rho_verdict": self.rho.verdict, "rho_structural": self.structurally_additive}
        mine = dict(zip(self.rho.ratio_grades, range(len(self.rho.ratios)), strict=True))
        for g in sorted(set(ratio_grades or ()) | set(mine)):
            k = mine.get(g)
            c = None if k is None or self.rho.ratios_ci is None else self.rho.ratios_ci[k]
            out[f"rho_{g}"] = nan if k is None else self.rho.ratios[k]
            out[f"rho_{g}_ci_low"] = nan if c is None else c.low
            out[f"rho_{g}_ci_high"] = nan if c is None else c.high
        for g in range(1, max(max_grade or 0, s.max_grade) + 1):
            have = g <= s.max_grade
            out[f"W_{g}"] = s.energies[g] if have else nan
            out[f"W_{g}_ci_low"] = s.energies_ci[g].low if have else nan
            out[f"W_{g}_ci_high"] = s.energies_ci[g].high if have else nan
        for name, val, ci in (("tail", s.tail, s.tail_ci), ("variance", s.variance,
                                                            s.variance_ci),
                              ("mean_dimension", s.mean_dimension, s.mean_dimension_ci),
                              ("revenue", self.revenue.mean, self.revenue.ci),
                              ("efficiency", self.efficiency.mean, self.efficiency.ci)):
            out[name] = val
            out[f"{name}_ci_low"] = nan if ci is None else ci[0]
            out[f"{name}_ci_high"] = nan if ci is None else ci[1]
        if s.target_rel_ci is not None:  # adaptive run: which grades met the target
            out.update(target_rel_ci=s.target_rel_ci,
                       unresolved_grades=",".join(map(str, s.unresolved)))
        out.update(samples=s.samples, evaluations=s.evaluations, seconds=self.seconds,
                   claimed_grade=f.claimed_grade, claimed_rho=f.claimed_rho,
                   claimed_revenue=f.claimed_revenue)
        return out


LONG_COLUMNS = ["format", "label", "mechanism", "values", "bidders", "items", "quantity",
                "value", "ci_low", "ci_high", "units", "claim", "detail"]


@dataclass(frozen=True, kw_only=True)
class LandscapeResult(Result):
    """Rows of the landscape and how they were computed: ``to_dict()`` (the ``--json``),
    ``to_frame()`` (one row per format, one number per cell), ``str()`` (the table), ``plot()``
    (all spectra).

    ``exact``: the revenue-optimal mechanism where the LP reaches it (a
    :class:`latent.studies.knee.ExactFrontier`: Rev* and Rev^(R) exact, and the smallest grade that
    attains Rev*), or None.
    """

    rows: tuple[LandscapeRow, ...]
    seed: object
    settings: dict
    exact: object = None

    def exact_text(self) -> str:
        """The LP row: Rev^(R)/Rev* by grade and the smallest grade reaching the optimum."""
        if self.exact is None:
            return ""
        f = self.exact.frontier
        need = next((p.grade for p in f.points if p.ratio >= 1 - 1e-12), None)
        ratios = ", ".join(f"R={p.grade}: {p.ratio:.4f}" for p in f.points)
        return (f"Revenue-optimal ({'multi-item' if f.n_items > 1 else 'single item'}, exact "
                f"LP; N={f.n_bidders}, M={f.n_items}, {f.n_types} types/bidder, values "
                f"{self.exact.values}): claimed grade 2–R*, Rev* = {f.optimum} (exact, "
                f"{f.optimum_method}); Rev^(R)/Rev*: {ratios}; smallest grade reaching Rev*: "
                f"{need}; ρ not measured (the LP returns interim rules, ex-post optima are not "
                "unique)")

    def to_dict(self) -> dict:
        return jsonable({"seed": self.seed, "settings": self.settings,
                "rows": [r.to_dict() for r in self.rows],
                "exact_optimum": None if self.exact is None else self.exact.to_dict(),
                "definitions": {
                    "spectrum": "W_r = Σ_{|u|=r} ‖x_u‖² of the allocation rule (outputs x_im "
                                "summed), grades over bidders (a bidder's type = her value vector)",
                    "rho": "grade-decay ρ: GLS fit W_r ≈ C²ρ^{-2r} over resolved grades; "
                           "rho_r = sqrt(W_r/W_{r+1})",
                    "revenue": "E Σ_i p_i", "efficiency": "E[welfare] / E[optimal welfare]",
                    "ci": "95% normal CIs (delta method for ratios)"}})

    def to_frame(self) -> pd.DataFrame:
        """Long format: one row per format × law × quantity (``grade``, ``rho``, ``rho_r``,
        ``W_r``, ``tail``, ``variance``, ``mean_dimension``, ``revenue``, ``efficiency``) with
        ``value``, ``ci_low``, ``ci_high``, ``units``, ``claim`` (what the papers claim for
        that quantity, as text; empty where they claim nothing) and ``detail`` (ρ's verdict,
        the measured grade as text, unresolved grades of an adaptive run).
        :meth:`to_wide_frame` has one row per format (the CSV of :meth:`to_csv`).
        """
        rows = [rec for r in self.rows for rec in r.long_records()]
        return pd.DataFrame(rows, columns=LONG_COLUMNS)

    def to_wide_frame(self) -> pd.DataFrame:
        """One row per format × law: identification, measured grade, ρ and per-grade ratios,
        W_r, variance, tail, mean dimension, revenue, efficiency (each with ci_low/ci_high
        columns), sizes and the papers' claims (``claimed_grade``, ``claimed_rho``,
        ``claimed_revenue``).
        """
        top = max((r.spectrum.max_grade for r in self.rows), default=0)
        ratios = sorted({g for r in self.rows for g in r.rho.ratio_grades})
        return pd.DataFrame([r.record(top, ratios) for r in self.rows])

    def _repr_items(self) -> list:
        return [("formats", ",".join(r.format.key for r in self.rows)), ("seed", self.seed),
                ("exact_lp", self.exact is not None)]

    def __str__(self) -> str:
        wrap = partial(textwrap.fill, width=TEXT_WIDTH, subsequent_indent="  ")
        lines = ["Auction formats: the papers' claims beside the measurements (95% CIs; "
                 "grades over bidders)", "", self.table()]
        if self.exact is not None:
            lines += ["", wrap(self.exact_text())]
        lines += ["", "Grade energies W_r (95% CIs):", self.spectra_table(), "",
                  wrap("settings: " + ", ".join(f"{k} = {v}" for k, v in
                                                self.settings.items()))]
        lines += [wrap(f"note: {line}") for line in sorted({r.input_note for r in self.rows})]
        latent = [r for r in self.rows if r.format.values.startswith("latent")]
        if latent:
            w = build(latent[0].format, self.settings.get("taste_seed", TASTE_SEED)).profile.w
            lines.append(wrap(f"note: latent-factor tastes w = "
                              f"{np.round(w.ravel(), 4).tolist()} (taste seed "
                              f"{self.settings.get('taste_seed', TASTE_SEED)}; fixed, not "
                              "drawn from --seed)"))
        return "\n".join(lines)

    def table(self) -> str:
        """One block per format: the papers' claim beside the measurement for the grade, ρ and
        the revenue, then the efficiency (each line within :data:`~numerics.results.TEXT_WIDTH`
        columns, long
        claims wrapped)."""
        out = []
        for r in self.rows:
            f = r.format
            if r.rho.ratios and not r.structurally_additive:
                c = r.rho.ratios_ci[0] if r.rho.ratios_ci else None
                rho1 = _fmt(r.rho.ratios[0], c) if r.rho.ratio_grades[0] == 1 else "n/a"
            else:
                rho1 = "∞" if r.structurally_additive else "n/a"
            out.append(f"{f.label} — values {f.values}, N×M = {f.n}×{f.m}")
            for what, claim, measured in (
                    ("grade", f.claimed_grade, r.measured_grade),
                    ("ρ", f.claimed_rho, f"{r.rho_text()};  ρ_1 = {rho1}"),
                    ("revenue", f.claimed_revenue, _fmt(r.revenue.mean, r.revenue.ci)),
                    ("efficiency", "", _fmt(r.efficiency.mean, r.efficiency.ci))):
                head = f"  {what:<10} measured {measured}"
                text = head if not claim else f"{head:<52} claimed: {claim}"
                out.append(textwrap.fill(text, width=TEXT_WIDTH, subsequent_indent=" " * 54)
                           if len(text) > TEXT_WIDTH else text)
        return "\n".join(out)

    def spectra_table(self) -> str:
        """W_r with CIs per row (the data behind ρ)."""
        out = []
        for r in self.rows:
            s = r.spectrum
            ws = "  ".join(f"W_{g}={_fmt(s.energies[g], s.energies_ci[g])}"
                           for g in range(1, s.max_grade + 1))
            tail = (f"  W_>{s.max_grade}={_fmt(s.tail, s.tail_ci)}"
                    if s.max_grade < s.n_inputs else "")
            target = "" if s.target_rel_ci is None else (
                f"  (target ±{s.target_rel_ci:g}·W_r: "
                + (f"unresolved {list(s.unresolved)})" if s.unresolved else "all resolved)"))
            out.append(textwrap.fill(f"{r.format.label} [{r.format.values}]: {ws}{tail}{target}",
                                     width=TEXT_WIDTH, subsequent_indent="    "))
        return "\n".join(out)

    def to_csv(self, path) -> None:
        """:meth:`to_wide_frame` as CSV (one row per format, one number per cell)."""
        self.to_wide_frame().to_csv(path, index=False)

    def plot(self, ax=None, *, title: str = "Grade spectra of auction formats"):
        """All spectra W_r/Var on one log-scale plot (CI bars; unresolved grades omitted);
        returns the axes (a new figure's when ``ax`` is None). A path as ``ax`` is deprecated.
        """
        if isinstance(ax, str | os.PathLike):
            warnings.warn("LandscapeResult.plot(path) is deprecated: use "
                          "plot().figure.savefig(path)", DeprecationWarning, stacklevel=2)
            self.plot(title=title).figure.savefig(ax, dpi=120)
            return None
        ax = new_axes(ax)
        for k, r in enumerate(self.rows):
            s = r.spectrum
            g = np.arange(1, s.max_grade + 1)
            w = np.asarray(s.energies[1:]) / s.variance
            ci = np.asarray([tuple(c) for c in s.energies_ci[1:]]) / s.variance
            ok = ci[:, 0] > 0
            if not ok.any():
                continue
            off = (k - len(self.rows) / 2) * 0.02
            ax.errorbar(g[ok] + off, w[ok], yerr=[w[ok] - ci[ok, 0], ci[ok, 1] - w[ok]],
                        fmt="o-", capsize=2, label=f"{r.format.label} [{r.format.values}]")
        ax.set_yscale("log")
        ax.set_xlabel("grade r")
        ax.set_ylabel("W_r / Var (95% CI)")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_title(title)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
        return ax


@dataclass(frozen=True)
class _SpectrumTask:
    """Picklable engine task: one chunk of the grade spectrum of a format."""

    fmt: Format
    max_grade: int
    taste_seed: int = TASTE_SEED

    def __call__(self, seq, size: int) -> SpectrumChunks:
        b = build(self.fmt, self.taste_seed)
        s = grade_spectrum_mc(b.allocation_of_inputs, b.marginals, b.n_inputs,
                              max_grade=min(self.max_grade, b.n_inputs), samples=max(size, 2),
                              seed=int(seq.generate_state(1)[0]), block=b.block,
                              progress=False)
        return SpectrumChunks((s,))


@dataclass(frozen=True)
class _FormatRule:
    """A format's allocation rule as f(inputs) (picklable: built once per process)."""

    fmt: Format
    taste_seed: int = TASTE_SEED

    def __call__(self, u):
        return _built(self.fmt, self.taste_seed).allocation_of_inputs(u)


@lru_cache(maxsize=16)
def _built(fmt: Format, taste_seed: int):
    return build(fmt, taste_seed)


def adaptive_format_spectrum(fmt: Format, samples: int, max_grade: int, seed,
                             target_rel_ci: float, config=None, *,
                             taste_seed: int = TASTE_SEED) -> GradeSpectrum:
    """The spectrum sampled until every grade's CI half width is ≤ ``target_rel_ci``·W_r or
    ``samples`` samples are spent (:func:`latent.anova.owen.adaptive_spectrum`; its chunks run
    on ``config``'s executor, same numbers on every executor).

    >>> s = adaptive_format_spectrum(FORMATS["second_price"].with_(n=3), 20000, 2, 1, 0.2)
    >>> s.resolved, s.method
    ((1, 2), 'owen')
    """
    b = build(fmt, taste_seed)
    r = min(max_grade, b.n_inputs)
    per = owen_evaluations_per_sample(b.n_inputs, r, 2, ["cross", "same"])
    return adaptive_spectrum(_FormatRule(fmt, taste_seed), b.marginals, b.n_inputs,
                             max_grade=r, target_rel_ci=target_rel_ci,
                             max_evaluations=max(samples, 16) * per, seed=fresh_sequence(seed),
                             block=b.block if b.block else None,
                             config=None if config is None else replace(config, progress=False))


def format_spectrum(fmt: Format, samples: int, max_grade: int, seed,
                    config=None, *, taste_seed: int = TASTE_SEED,
                    progress: bool | None = False,
                    target_rel_ci: float | None = None) -> GradeSpectrum:
    """Monte Carlo grade spectrum of a format's allocation rule (grades over bidders).

    ``config``: a ``numerics.engine.EngineConfig`` to run chunks of ``config.batch_size``
    samples on the local pool or Dask; None = one in-process call. ``seed``: an int, a
    SeedSequence or a Generator; ``progress``: a bar over the samples (None: on a terminal).
    ``target_rel_ci``: sample adaptively (:func:`adaptive_format_spectrum`) with ``samples``
    as the budget.

    >>> s = format_spectrum(FORMATS["posted_unlimited"], 500, 3, seed=1)
    >>> s.energies[2:], tuple(s.energies_ci[2])
    ((0.0, 0.0), (0.0, 0.0))
    """
    if target_rel_ci is not None:
        return adaptive_format_spectrum(fmt, samples, max_grade, seed, target_rel_ci, config,
                                        taste_seed=taste_seed)
    if config is None:
        b = build(fmt, taste_seed)
        return grade_spectrum_mc(b.allocation_of_inputs, b.marginals, b.n_inputs,
                                 max_grade=min(max_grade, b.n_inputs), samples=samples,
                                 seed=fresh_sequence(seed), block=b.block, progress=progress,
                                 desc=f"spectrum {fmt.key}")

    return next(format_spectra([fmt], samples, max_grade, seed, config,
                               taste_seed=taste_seed, desc=f"spectrum {fmt.key}"))


def format_spectra(fmts, samples: int, max_grade: int, seed, config, *,
                   taste_seed: int = TASTE_SEED, desc: str = "spectra"):
    """Fixed-budget Monte Carlo grade spectra of several formats on one engine config, in
    order (an iterator): the formats' chunks run as one queue (``numerics.engine.run_each``),
    so the workers do not wait between formats. Each spectrum is the one
    :func:`format_spectrum` gives for its format (same seed, same numbers).

    >>> from numerics.engine import EngineConfig
    >>> fmts = [FORMATS["second_price"].with_(n=2), FORMATS["posted_unlimited"]]
    >>> cfg = EngineConfig(batch_size=200)
    >>> a, b = format_spectra(fmts, 400, 2, 1, cfg)
    >>> a.energies[1] == format_spectrum(fmts[0], 400, 2, 1, cfg).energies[1]
    True
    """
    runs = [engine.Run(task=_SpectrumTask(f, max_grade, taste_seed), samples=samples,
                       seed=fresh_sequence(seed)) for f in fmts]
    with closing(engine.run_each(runs, config, desc=desc)) as results:
        for chunks in results:
            yield pool_spectra(list(chunks.parts))


def revenue_efficiency(fmt: Format, samples: int, seed, batch: int = 20000, *,
                       taste_seed: int = TASTE_SEED) -> tuple[Estimate, Estimate]:
    """E Σ p_i and E[welfare]/E[optimal welfare] with 95% CIs (iid profiles).

    >>> rev, eff = revenue_efficiency(FORMATS["second_price"].with_(n=2), 20000, seed=0)
    >>> bool(rev.ci[0] < 1 / 3 < rev.ci[1]), round(eff.mean, 12)
    (True, 1.0)
    """
    b = build(fmt, taste_seed)
    seqs = child_sequence(seed, 8).spawn(math.ceil(samples / batch))
    mom = None
    for k, sq in enumerate(seqs):
        size = min(batch, samples - k * batch)
        v = b.sample(np.random.default_rng(sq), size)
        x, p = b.mechanism.outcome(v)
        real, best = b.welfare(v, x)
        m = Moments.of(np.column_stack([p.sum(axis=1), real, best]))
        mom = m if mom is None else mom.merge(m)
    return mom.estimate(0), mom.ratio(1, 2)


def _structurally_additive(s: GradeSpectrum) -> bool:
    """Every per-sample W_r (r ≥ 2) was exactly 0: zero estimate and zero-width CI."""
    return s.max_grade >= 2 and all(s.energies[r] == 0.0 and tuple(s.energies_ci[r]) == (0, 0)
                                    for r in range(2, s.max_grade + 1)) and s.variance > 0


def measure(fmt: Format, *, samples: int, rev_samples: int, max_grade: int, seed,
            config=None, taste_seed: int = TASTE_SEED,
            progress: bool | None = False, target_rel_ci: float | None = None,
            spectrum: GradeSpectrum | None = None, spectrum_seconds: float = 0.0) -> LandscapeRow:
    """One landscape row (see :class:`LandscapeRow`). ``spectrum``: the format's spectrum when
    already measured (:func:`format_spectra`), with the ``spectrum_seconds`` it took.

    >>> row = measure(FORMATS["posted_unlimited"], samples=300, rev_samples=2000,
    ...               max_grade=3, seed=0)
    >>> row.measured_grade, row.rho_text()
    ('1 (W_r≡0, r≥2)', '∞ (structural)')
    """
    t0 = time.perf_counter()
    s = spectrum if spectrum is not None else format_spectrum(
        fmt, samples, max_grade, seed, config, taste_seed=taste_seed, progress=progress,
        target_rel_ci=target_rel_ci)
    rev, eff = revenue_efficiency(fmt, rev_samples, seed, taste_seed=taste_seed)
    return LandscapeRow(format=fmt, spectrum=s, rho=s.rho(),
                        structurally_additive=_structurally_additive(s), revenue=rev,
                        efficiency=eff, seconds=spectrum_seconds + time.perf_counter() - t0,
                        input_note=build(fmt, taste_seed).input_note)


def _timed(items):
    """(item, seconds since the previous one) for each item of an iterator."""
    t = time.perf_counter()
    for item in items:
        now = time.perf_counter()
        yield item, now - t
        t = time.perf_counter()


def _resolve(formats) -> list[Format]:
    if formats is None:
        return list(FORMATS.values())
    out = []
    for f in formats:
        if isinstance(f, Format):
            out.append(f)
        elif f in FORMATS:
            out.append(FORMATS[f])
        else:
            raise ValueError(f"unknown format {f!r}; choose from {', '.join(FORMATS)}")
    return out


def landscape(formats=None, *, quick: bool = True, seed=0, values=None,
              samples: int | None = None, rev_samples: int | None = None,
              max_grade: int | None = None, config=None, progress: bool | None = False,
              lp: dict | None = None, taste_seed: int = TASTE_SEED,
              target_rel_ci: float | None = None) -> LandscapeResult:
    """Measure the table of formats. ``formats``: keys of ``FORMATS`` or :class:`Format` objects
    (default all); ``values``: optional list of laws, each format is run under each (the latent
    model only for single-item formats). ``quick`` picks small sample sizes (CI-like use).
    ``lp``: ``{"n": N, "m": M, "grid": K, "values": law}`` adds the exact LP optimum row
    (:func:`latent.studies.knee.exact_frontier`); None = no LP row. ``progress``: bars over
    each spectrum's samples (None: on a terminal). ``taste_seed``: the latent model's tastes.
    ``target_rel_ci``: adaptive spectra (``samples`` is then each spectrum's budget).

    >>> res = landscape(["posted_unlimited"], samples=300, rev_samples=2000, seed=0)
    >>> res.rows[0].measured_grade
    '1 (W_r≡0, r≥2)'
    """
    seed = stable_seed(seed)
    base = QUICK if quick else FULL
    samples = samples or base["samples"]
    rev_samples = rev_samples or base["rev_samples"]
    max_grade = max_grade or base["max_grade"]
    fmts = _resolve(formats)
    if values:
        fmts = [f.with_(values=v) for f in fmts for v in values
                if not (v.startswith("latent") and (f.m > 1 or f.mechanism == "gsp"))]
    kw = dict(samples=samples, rev_samples=rev_samples, max_grade=max_grade, seed=seed,
              taste_seed=taste_seed)
    with engine.session(config) as cfg:  # dask: one client (and cluster) for every format
        if cfg is None or target_rel_ci is not None:
            rows = tuple(measure(f, config=cfg, progress=progress, target_rel_ci=target_rel_ci,
                                 **kw) for f in fmts)
        else:  # every format's chunks in one queue; the revenue runs here meanwhile
            with closing(format_spectra(fmts, samples, max_grade, seed, cfg,
                                        taste_seed=taste_seed)) as spectra:
                rows = tuple(measure(f, spectrum=s, spectrum_seconds=t, **kw)
                             for f, (s, t) in zip(fmts, _timed(spectra), strict=True))
    settings = {"samples": samples, "rev_samples": rev_samples, "revenue_samples": rev_samples,
                "max_grade": max_grade, "quick": quick, "taste_seed": taste_seed,
                "executor": None if config is None else config.to_dict()}
    if target_rel_ci is not None:
        settings["target_rel_ci"] = target_rel_ci
    exact = None
    if lp:
        exact = exact_frontier(lp.get("n", 3), lp.get("values", "uniform"), lp.get("grid", 3),
                               lp.get("m", 2))
    return LandscapeResult(rows=rows, seed=seed_label(seed), settings=settings, exact=exact)


def smoothness(format_key: str = "second_price", laws=SMOOTHNESS_LAWS, *, n: int | None = None,
               quick: bool = True, seed=0, **kw) -> LandscapeResult:
    """One format under smooth vs rough laws, side by side (the seed's "ρ is controlled by the
    smoothness of F").

    >>> r = smoothness("second_price", ["uniform"], n=2, samples=400, rev_samples=2000)
    >>> r.rows[0].format.values
    'uniform'
    """
    fmt = FORMATS[format_key] if isinstance(format_key, str) else format_key
    if n is not None:
        fmt = fmt.with_(n=n)
    return landscape([fmt], quick=quick, seed=seed, values=list(laws), **kw)
