"""Acceptance rules for rates counted over independent seeds: interval coverage, test size.

A count of successes over ``n`` independent seeds is Binomial(n, p). A rule accepts the count
when it reaches a threshold chosen from the binomial law itself (``scipy.stats.binom``), so that

* a correct procedure (``p = nominal``) fails the check with probability ≤ ``FALSE_FAIL``
  (split evenly over the ``rates`` checked together in one test), and
* a procedure 5 points off (coverage 90% for nominal 95%, size 10% for nominal 5%) passes it
  with probability ≤ ``FALSE_PASS``.

``rate_rule`` computes both probabilities for the ``n`` a test uses and refuses an ``n`` too
small to meet them; ``min_seeds`` gives the smallest such ``n``. Each interval or test decision
counted must come from its own seed: a count over intervals that share a seed is not binomial.

>>> print(rate_rule(min_seeds(0.95, 0.90), 0.95, 0.90))
accept ≥ 393 of 425 (P(fail | 0.95) = 0.0091, P(pass | 0.9) = 0.0488)
>>> print(rate_rule(min_seeds(0.05, 0.10, rates=2), 0.05, 0.10, rates=2))
accept ≤ 36 of 470 (P(fail | 0.05) = 0.0049, P(pass | 0.1) = 0.0493)
>>> rate_rule(100, 0.95, 0.90)  # doctest: +ELLIPSIS
Traceback (most recent call last):
ValueError: 100 seeds are too few: accept ≥ 89 of 100 (P(fail | 0.95) = ..., P(pass | 0.9) = 0.7030)
"""

from __future__ import annotations

from dataclasses import dataclass

from scipy import stats

FALSE_PASS = 0.05  # P(accept) for a procedure 5 points off its nominal rate
FALSE_FAIL = 0.01  # P(reject) for a correct procedure, over all the rates of one test
OFF = 0.05  # "5 points off": the bad rate is nominal − OFF (coverage) or nominal + OFF (size)


@dataclass(frozen=True)
class Rule:
    """Accept ``count`` of ``n`` when it is on the nominal side of ``threshold``.

    ``bad < nominal`` (coverage): accept ``count ≥ threshold``; ``bad > nominal`` (size):
    accept ``count ≤ threshold``. ``false_fail`` and ``false_pass`` are the exact binomial
    probabilities of a wrong verdict at ``nominal`` and at ``bad``."""

    n: int
    nominal: float
    bad: float
    threshold: int
    false_fail: float
    false_pass: float

    def accepts(self, count: int) -> bool:
        return count >= self.threshold if self.bad < self.nominal else count <= self.threshold

    def __str__(self) -> str:
        side = "≥" if self.bad < self.nominal else "≤"
        return (f"accept {side} {self.threshold} of {self.n} (P(fail | {self.nominal:g}) = "
                f"{self.false_fail:.4f}, P(pass | {self.bad:g}) = {self.false_pass:.4f})")


def _lower_rule(n: int, nominal: float, bad: float, false_fail: float) -> tuple[int, float, float]:
    """Largest threshold t with P(Bin(n, nominal) < t) ≤ false_fail; its two error rates."""
    t = int(stats.binom.ppf(false_fail, n, nominal))
    while t > 0 and stats.binom.cdf(t - 1, n, nominal) > false_fail:
        t -= 1
    while stats.binom.cdf(t, n, nominal) <= false_fail:
        t += 1
    return t, float(stats.binom.cdf(t - 1, n, nominal)), float(stats.binom.sf(t - 1, n, bad))


def rate_rule(n: int, nominal: float, bad: float, rates: int = 1) -> Rule:
    """The acceptance rule for a count over ``n`` seeds; ``ValueError`` if ``n`` is too small
    for both error bounds (``rates`` rates checked in one test share ``FALSE_FAIL``)."""
    ff = FALSE_FAIL / rates
    if bad < nominal:
        t, fail, fpass = _lower_rule(n, nominal, bad, ff)
    else:  # count ≤ t  ⇔  n − count ≥ n − t: the same rule on the complementary rate
        t, fail, fpass = _lower_rule(n, 1 - nominal, 1 - bad, ff)
        t = n - t
    rule = Rule(n, nominal, bad, t, fail, fpass)
    if fail > ff or fpass > FALSE_PASS:
        raise ValueError(f"{n} seeds are too few: {rule}")
    return rule


def min_seeds(nominal: float, bad: float, rates: int = 1) -> int:
    """Smallest ``n`` for which ``rate_rule(n, nominal, bad, rates)`` exists."""
    z = stats.norm.isf([FALSE_FAIL / rates, FALSE_PASS])
    sd = [(p * (1 - p)) ** 0.5 for p in (nominal, bad)]
    n = int(0.8 * ((z @ sd) / abs(nominal - bad)) ** 2)  # normal approximation, less a margin
    while True:
        try:
            rate_rule(n, nominal, bad, rates)
            return n
        except ValueError:
            n += 1


def assert_coverage(hits, n: int, nominal: float = 0.95, rates: int = 1, what: str = "",
                    bad: float | None = None):
    """Each count in ``hits`` (intervals covering the truth, of ``n`` seeds) passes the rule
    against coverage ``bad`` (default ``nominal − OFF``); ``rates`` defaults to the number of
    counts given."""
    _assert_counts(hits, n, nominal, nominal - OFF if bad is None else bad, rates,
                   what or "coverage")


def assert_size(rejections, n: int, alpha: float = 0.05, rates: int = 1, what: str = ""):
    """Each count in ``rejections`` (of ``n`` seeds under the null) passes the rule against
    size ``alpha + OFF``."""
    _assert_counts(rejections, n, alpha, alpha + OFF, rates, what or "size")


def _assert_counts(counts, n, nominal, bad, rates, what):
    counts = [int(c) for c in (counts if hasattr(counts, "__len__") else [counts])]
    rule = rate_rule(n, nominal, bad, max(rates, len(counts)))
    assert all(rule.accepts(c) for c in counts), f"{what}: {counts} of {n}; {rule}"
