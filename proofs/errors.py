"""Exceptions of the formal layer."""

from __future__ import annotations


class UnsupportedExpression(ValueError):
    """A sympy construct the SMT translations do not accept (floats, divisions, …)."""


class ProofError(Exception):
    """A theorem was not proved; carries the solver's status and, if any, a countermodel."""

    def __init__(self, name: str, status: str, countermodel=None, reason: str | None = None):
        self.name, self.status, self.countermodel, self.reason = name, status, countermodel, reason
        detail = f"countermodel {countermodel}" if countermodel else (reason or "")
        super().__init__(f"{name}: not proved ({status}) {detail}".rstrip())
