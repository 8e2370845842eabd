"""``python -m latent estimate_rho``: the same command as ``python -m latent.estimate_rho``."""

from __future__ import annotations

from latent.estimate_rho_cli import DESCRIPTION, EPILOG, add_arguments, run

NAME = "estimate_rho"
HELP = "ρ and the truncation revenue loss from auction data (CSV)"

__all__ = ["DESCRIPTION", "EPILOG", "HELP", "NAME", "add_arguments", "run"]
