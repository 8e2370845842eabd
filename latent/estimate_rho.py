"""``python -m latent.estimate_rho data.csv``: the headline command (see ``--help``).

The analysis itself is :func:`latent.estimate_rho` (:mod:`latent.estimate.pipeline`); the
command line is :mod:`latent.cli.estimate_rho`. This module only makes the command runnable as
``python -m latent.estimate_rho``.
"""

import sys

from latent.cli.estimate_rho import run_cli

if __name__ == "__main__":
    sys.exit(run_cli())
