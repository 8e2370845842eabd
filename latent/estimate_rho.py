"""``python -m latent.estimate_rho data.csv``: the headline command (see ``--help``).

The analysis is :func:`latent.estimate_rho` (:mod:`latent.estimate.pipeline`); the command line
is :mod:`latent.cli.estimate_rho`. This module only makes the command runnable with ``-m``.
Imported (``import latent.estimate_rho``), it puts the function in its place, so that
``latent.estimate_rho`` is the function whichever way it was reached.
"""

import sys

from latent.cli import entry

if __name__ == "__main__":
    entry.install_early()  # Ctrl-C during the imports below: one line, exit 130
    # the parser first; the analysis (numpy, scipy, pandas) only when it runs, not for --help
    from latent.cli.estimate_rho import run_cli

    entry.exit_process(run_cli(enforce_limits=True))
else:
    from latent.estimate.pipeline import estimate_rho

    # A module may replace itself in sys.modules; the import system then binds the replacement
    # as the package attribute, so the submodule never shadows the API function.
    sys.modules[__name__] = estimate_rho
