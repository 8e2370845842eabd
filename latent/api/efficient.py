"""``latent.efficient``: VCG, weakest-type and revenue-optimal efficient payments on general
(disconnected, polyhedral or finite) type spaces, all exact.

>>> from pathlib import Path
>>> ex = Path(__file__).parents[2] / "examples" / "efficient_seed002_section3.json"
>>> r = efficient(ex)
>>> [str(r.payments["1"][k]) for k in ("vcg", "weakest_type", "optimal")]
['1', '2', '4']
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from latent.api.common import format_exact, path_error
from numerics.efficient import AgentPayments, InstanceError, Model, agent_payments, load_instance
from numerics.efficient.revenue import ExpectedRevenue, expected_revenue, samplers_from_instance
from numerics.results import Result, jsonable, new_axes
from numerics.validate import memory_budget, positive_int, seed_sequence, work_budget
from numerics.valuations import parse_valuation

__all__ = ["EfficientResult", "efficient"]

RULES = ("vcg", "weakest_type", "optimal")
# Evaluations per (variable × constraint) of one exact rational LP: the seed-002 example's
# profile (about 11 000 such cells over its LPs) takes 60 ms ≈ 6·10^6 evaluations.
LP_CELL = 500
# Bytes per cell of those LPs: a Fraction coefficient and its share of the row/column lists.
LP_CELL_BYTES = 200
# Bytes kept per Monte Carlo draw: one Python float per rule, and the list slots.
BYTES_PER_DRAW = 3 * 32


def profile_work(model: Model) -> float:
    """Evaluations to price one reported profile of ``model``: per agent i, the allocation
    graph has up to ∣O∣² edges and the activity and component graphs ∣O∣·∣P_i∣ and ∣P_i∣²
    more, each edge an exact LP over one of the ∣P_i∣ pieces of Θ_i with dim_i + 1 variables
    and the piece's constraints plus ∣O∣ efficiency rows.

    Parameters
    ----------
    model : numerics.efficient.Model
        A loaded instance.

    Returns
    -------
    float
        Elementary evaluations (the unit of ``max_work``).

    Examples
    --------
    >>> from numerics.efficient.instance import seed_section3
    >>> profile_work(seed_section3()) > 10**6
    True
    """
    o = len(model.outcomes)
    work = 0.0
    for pieces in model.type_spaces:
        rows = max((len(q.ub) + len(q.eq) for q in pieces), default=0)
        dim = max((q.dim for q in pieces), default=0)
        work += (o * o + o + len(pieces)) * len(pieces) * (dim + 1) * (rows + o) * LP_CELL
    return work


@dataclass(frozen=True, kw_only=True)
class EfficientResult(Result):
    """Per agent shown: the efficient allocation, the three payments (exact; ``optimal`` is
    ``-inf`` when no efficient IC + IR rule with finite payments exists), the allocation and
    component graphs and the exact IC/IR checks (``agents``); their exact total ``revenue`` per
    rule; and, with ``samples``, the Monte Carlo expected revenue of all agents."""

    instance: str
    model: Model
    agents: tuple[AgentPayments, ...]
    revenue: dict
    expected_revenue: ExpectedRevenue | None = None

    @property
    def payments(self) -> dict:
        """``{agent: {rule: payment}}``, exact (``-inf`` as a float)."""
        return {r.agent: {k: getattr(r, k) for k in RULES} for r in self.agents}

    def to_dict(self) -> dict:
        """The ``--json`` document (exact values as ``"p/q"``, ``-inf`` as ``"-inf"``)."""
        m = self.model
        return jsonable({
            "instance": self.instance,
            "outcomes": list(m.outcomes),
            "efficient_allocation": m.outcomes[m.efficient()],
            "payments": {r.agent: {"vcg": r.vcg, "weakest_type": _jnum(r.weakest_type),
                                   "optimal": _jnum(r.optimal)} for r in self.agents},
            "revenue": {k: _jnum(v) for k, v in self.revenue.items()},
            "agents": [r.to_dict() for r in self.agents],
            "expected_revenue": (self.expected_revenue.to_dict()
                                 if self.expected_revenue else None),
        })

    def to_frame(self) -> pd.DataFrame:
        """One row per agent: allocation, the three payments (exact), whether the two graph
        characterisations agree, and the exact IC/IR verdict of each verified rule.

        >>> from pathlib import Path
        >>> ex = Path(__file__).parents[2] / "examples" / "efficient_seed002_section3.json"
        >>> efficient(ex).to_frame().shape
        (3, 7)
        """
        rows = []
        for r in self.agents:
            rows.append({"agent": r.agent, "allocation": r.allocation, "vcg": r.vcg,
                         "weakest_type": r.weakest_type, "optimal": r.optimal, "agree": r.agree,
                         "verified": ",".join(k for k, v in r.verification.items()
                                              if v.ir_ok and v.ic_ok)})
        return pd.DataFrame(rows, columns=["agent", "allocation", *RULES, "agree", "verified"])

    def plot(self, ax=None):
        """Bar chart of the three payments per agent (``-inf``: no bar); returns the axes."""
        ax = new_axes(ax)
        x = np.arange(len(self.agents))
        for k, rule in enumerate(RULES):
            vals = [float(getattr(r, rule)) for r in self.agents]
            vals = [v if np.isfinite(v) else np.nan for v in vals]  # -inf: no finite mechanism
            ax.bar(x + (k - 1) * 0.27, vals, 0.27, label=rule.replace("_", " "))
        ax.set_xticks(x, [r.agent for r in self.agents])
        ax.set_xlabel("agent")
        ax.set_ylabel("payment (exact)")
        ax.legend()
        return ax

    def __str__(self) -> str:
        lines = []
        for r in self.agents:
            lines += _agent_text(self.model, r) + [""]
        lines.append("revenue of the agents shown (exact): " + "   ".join(
            f"{k.replace('_', ' ')} {format_exact(v)}" for k, v in self.revenue.items()))
        est = self.expected_revenue
        if est is not None:
            lines.append(
                f"expected revenue, all agents, {est.n_samples} draws (seed {est.seed}, "
                f"{int(est.level * 100)}% t-CI; {est.rejected} draws outside Θ redrawn):")
            for k in RULES:
                lo, hi = est.ci[k]
                lines.append(f"  {k.replace('_', ' '):>12}: {est.mean[k]:.4f}  "
                             f"[{lo:.4f}, {hi:.4f}]")
        return "\n".join(lines)


def _jnum(x):
    return str(x) if isinstance(x, float) else x


def _select(model: Model, agent) -> list[int]:
    if agent is None:
        return list(range(model.n_agents))
    agent = str(agent)
    if agent in model.agents:
        return [model.agents.index(agent)]
    if agent.isdigit() and 1 <= int(agent) <= model.n_agents:
        return [int(agent) - 1]
    raise ValueError(f"agent={agent!r}: no such agent (agents: {', '.join(model.agents)})")


def efficient(instance, *, agent=None, verify_all: bool = False, samples: int = 0, seed=0,
              progress: bool = False, max_work: float | None = None,
              max_memory: float | str | None = None) -> EfficientResult:
    """The revenue-optimal efficient mechanism of an instance on general (disconnected) type spaces:
    VCG, weakest-type and optimal payments, exact, with their IC/IR verification.

    Edge costs are exact rational LPs; payments come from shortest paths on the allocation and
    component graphs. The Python form of ``python -m latent efficient INSTANCE``: every keyword is
    the flag of the same name, with the same default.

    Parameters
    ----------
    instance : str, pathlib.Path or numerics.efficient.Model
        A ``.json``/``.toml`` instance file (format: ``docs/efficient_instance_format.md``) or a
        loaded model.
    agent : int or str, optional
        Only this agent (1-based index or name).
    verify_all : bool
        Also verify the VCG and weakest-type payments exactly (slower).
    samples : int
        Monte Carlo draws from the instance's ``distribution`` fields for the expected revenue.
    seed : int, numpy.random.SeedSequence or numpy.random.Generator
        Seed of those draws.
    progress : bool
        Progress bars on stderr.
    max_work : float, optional
        Refuse a request estimated above this many evaluations
        (:func:`~latent.api.efficient.profile_work`), before
        any LP is solved.
    max_memory : float or str, optional
        Refuse a request estimated to hold more bytes at once (``"4G"``).

    Returns
    -------
    EfficientResult
        Per agent: allocation, the three payments (``Fraction``), graphs and verification;
        ``revenue`` per rule; ``to_dict()``, ``to_frame()``, ``plot()``.

    Raises
    ------
    ValueError
        An unreadable or invalid instance file (a :class:`~latent.api.common.PathError` names
        it), a bad argument, or a request above ``max_work``/``max_memory``.
    TypeError
        An argument of the wrong kind.

    Examples
    --------
    >>> from pathlib import Path
    >>> ex = Path(__file__).parents[2] / "examples" / "efficient_seed002_section3.json"
    >>> efficient(ex, agent=1).revenue["optimal"]
    Fraction(4, 1)
    """
    samples = positive_int("samples", samples, minimum=0)
    if isinstance(instance, Model):
        model, name = instance, "<model>"
    elif isinstance(instance, str | Path):
        try:
            model = load_instance(instance)
        except UnicodeDecodeError:
            raise ValueError(f"instance={str(instance)!r}: not a text file") from None
        except OSError as exc:  # missing, a folder, unreadable: bad input, as for estimate_rho
            raise path_error("instance", instance, exc) from None
        name = str(instance)
    else:
        raise TypeError(f"instance={instance!r}: a file path or a numerics.efficient.Model")
    chosen = _select(model, agent)
    ss = seed_sequence(seed)  # checked before the work, even when no sample is drawn
    # Cost before work: the instance's own profile (verified rules cost as much again each),
    # then one profile per Monte Carlo draw.
    per = profile_work(model)
    work_budget("instance", name, per * (3 if verify_all else 1), max_work=max_work,
                what="evaluations (exact LPs of the allocation and component graphs)")
    work_budget("samples", samples, per * samples, max_work=max_work,
                what=f"evaluations ({per:.3g} per draw: exact LPs of every agent)")
    # held at once: the draws' results, and the exact LPs of one profile (rational cells)
    memory_budget("samples", samples, BYTES_PER_DRAW * samples, max_memory=max_memory)
    memory_budget("instance", name, per / LP_CELL * LP_CELL_BYTES, max_memory=max_memory)
    rules = ("optimal", "vcg", "weakest_type") if verify_all else ("optimal",)
    results = tuple(agent_payments(model, i, rules)
                    for i in tqdm(chosen, desc="agents", disable=not progress, leave=False))
    revenue = {rule: sum((getattr(r, rule) for r in results), Fraction(0)) for rule in RULES}
    estimate = None
    if samples:
        samplers = samplers_from_instance(model, parse_valuation)
        if all(s is None for s in samplers):
            raise ValueError(f"samples={samples}: the instance has no 'distribution' field")
        bar = tqdm(total=samples, desc="samples", disable=not progress, leave=False)
        try:
            estimate = expected_revenue(model, samplers, samples, ss, progress=bar.update)
        except InstanceError:
            raise
        except ValueError as exc:
            raise ValueError(f"samples={samples}: {exc}") from None
        finally:
            bar.close()
    return EfficientResult(instance=name, model=model, agents=results, revenue=revenue,
                           expected_revenue=estimate)


def _graph_text(g, label) -> list[str]:
    lines = []
    for e in g.edges:
        tail = "s" if e.tail == -1 else label(e.tail)
        tree = "  *tree*" if g.parent[e.head] == e.tail else ""
        wit = f"  at type {format_exact(e.witness)}" if e.witness is not None else ""
        lines.append(f"      {tail} -> {label(e.head)}: cost {format_exact(e.cost)}{wit}{tree}")
    lines.append("      h: " + ", ".join(f"{label(v)} = {format_exact(h)}"
                                         for v, h in enumerate(g.h)))
    return lines


def _agent_text(model: Model, r: AgentPayments) -> list[str]:
    fmt = format_exact
    out = [
        f"agent {r.agent}: efficient allocation [{r.allocation}]",
        f"  payments (exact): VCG {fmt(r.vcg)}   weakest type {fmt(r.weakest_type)}   "
        f"optimal {fmt(r.optimal)}",
    ]
    names = r.outcome_names
    ag = r.allocation_graph
    out.append(
        f"  allocation graph, {len(ag.members)} outcomes efficient on Θ_i, "
        f"{ag.lp_count} LPs (*tree* = shortest-path tree edge):"
    )
    out += _graph_text(ag, lambda v: f"[{names[ag.members[v][0]]}]")
    cg = r.component_graph
    i = model.agents.index(r.agent)
    pieces = model.type_spaces[i]
    out.append(f"  component graph, {len(cg.members)} components, {cg.lp_count} LPs:")
    for v, (members, ks) in enumerate(zip(cg.members, cg.outcomes, strict=True)):
        labels = ", ".join(pieces[p].label or f"piece {p}" for p in members)
        outs = "; ".join(names[k] for k in ks)
        mark = "  (report)" if v == r.report_component else ""
        out.append(f"      C{v} = {{{labels}}}: efficient outcomes [{outs}]{mark}")
    out += _graph_text(cg, lambda v: f"C{v}")
    out.append(f"  characterisations agree (h^α = h^C on every cell): {'yes' if r.agree else 'NO'}")
    if r.optimal == float("-inf"):
        out.append(
            "  note: inf of w over Θ_i is -inf, so no efficient IC + IR rule with finite "
            "payments exists for this agent (verification skipped)"
        )
    for rule, v in r.verification.items():
        out.append(
            f"  {rule}: IR {'ok' if v.ir_ok else 'VIOLATED'} (min utility "
            f"{fmt(v.ir_slack)}), IC {'ok' if v.ic_ok else 'VIOLATED'} (min gain "
            f"margin {fmt(v.ic_slack)}); exact, {v.lp_count} LPs over Θ_i"
        )
    return out
