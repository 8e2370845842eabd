"""Closed-form benchmarks on discrete supports, computed independently of any LP.

* Discrete (ironed) virtual values: with ``q_k = P(v ≥ v_k)`` the revenue curve has points
  ``(q_k, v_k q_k)`` and ``(0, 0)``; ``ψ(v_k)`` is the slope between the points of ``v_{k+1}`` and
  ``v_k``, and the ironed ``ψ̄`` is the slope of the curve's concave hull over the same interval.
* Myerson's optimal single-item revenue: ``E[max(0, max_i ψ̄_i(v_i))]`` (independent bidders).
* VCG (second price, no reserve) revenue: ``E[second-highest value]``.

All in exact ``Fraction`` arithmetic.
"""

from __future__ import annotations

from fractions import Fraction

Q = Fraction


def _normalise(values, probs):
    pairs = sorted((Q(v), Q(p)) for v, p in zip(values, probs, strict=True) if Q(p) != 0)
    vals, ps = [], []
    for v, p in pairs:
        if vals and vals[-1] == v:
            ps[-1] += p
        else:
            vals.append(v), ps.append(p)
    if sum(ps) != 1:
        raise ValueError("probabilities must sum to 1")
    return vals, ps


def ironed_virtual_values(values, probs) -> list[Fraction]:
    """Ironed virtual values ψ̄(v_k) of a discrete distribution (sorted by value).

    >>> ironed_virtual_values([1, 2], [Fraction(1, 2), Fraction(1, 2)])
    [Fraction(0, 1), Fraction(2, 1)]
    >>> ironed_virtual_values([1, 2, 3], [Fraction(1, 3)] * 3)
    [Fraction(-1, 1), Fraction(1, 1), Fraction(3, 1)]
    """
    vals, ps = _normalise(values, probs)
    k = len(vals)
    q = [sum(ps[i:], Q(0)) for i in range(k)] + [Q(0)]
    pts = [(Q(0), Q(0))] + [(q[i], vals[i] * q[i]) for i in range(k - 1, -1, -1)]
    hull: list[tuple[Fraction, Fraction]] = []
    for p in pts:  # upper hull, x increasing
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            if (y2 - y1) * (p[0] - x1) <= (p[1] - y1) * (x2 - x1):
                hull.pop()
            else:
                break
        hull.append(p)

    def h(x):
        for (x1, y1), (x2, y2) in zip(hull, hull[1:], strict=False):
            if x1 <= x <= x2:
                return y1 + (y2 - y1) * (x - x1) / (x2 - x1)
        raise AssertionError("outside hull")

    return [(h(q[i]) - h(q[i + 1])) / (q[i] - q[i + 1]) for i in range(k)]


def myerson_revenue(bidders) -> Fraction:
    """Optimal single-item revenue for independent discrete bidders ``[(values, probs), ...]``.

    >>> myerson_revenue([([1, 2], [Fraction(1, 2)] * 2)] * 2)
    Fraction(3, 2)
    """
    dists = []
    for values, probs in bidders:
        vals, ps = _normalise(values, probs)
        psi = ironed_virtual_values(vals, ps)
        d: dict[Fraction, Fraction] = {}
        for s, p in zip(psi, ps, strict=True):
            s = max(s, Q(0))
            d[s] = d.get(s, Q(0)) + p
        dists.append(d)
    levels = sorted({s for d in dists for s in d} | {Q(0)})

    def cdf(s):
        out = Q(1)
        for d in dists:
            out *= sum((p for t, p in d.items() if t <= s), Q(0))
        return out

    return sum(((b - a) * (1 - cdf(a)) for a, b in zip(levels, levels[1:], strict=False)), Q(0))


def second_price_revenue(bidders) -> Fraction:
    """Expected second-highest value (VCG / second price, no reserve) for independent bidders.

    >>> second_price_revenue([([1, 2], [Fraction(1, 2)] * 2)] * 2)
    Fraction(5, 4)
    """
    dists = [_normalise(v, p) for v, p in bidders]
    if len(dists) < 2:
        return Q(0)
    levels = sorted({Q(0)} | {v for vals, _ in dists for v in vals})

    def cdf(vals, ps, s):
        return sum((p for v, p in zip(vals, ps, strict=True) if v <= s), Q(0))

    def second_cdf(s):
        fs = [cdf(v, p, s) for v, p in dists]
        allb = Q(1)
        for f in fs:
            allb *= f
        out = allb
        for i, fi in enumerate(fs):
            term = 1 - fi
            for k, fk in enumerate(fs):
                if k != i:
                    term *= fk
            out += term
        return out

    return sum(
        ((b - a) * (1 - second_cdf(a)) for a, b in zip(levels, levels[1:], strict=False)), Q(0)
    )
