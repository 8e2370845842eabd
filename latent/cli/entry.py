"""What every command line does on Ctrl-C, in one place: one line on stderr and exit status
130 (128 + SIGINT, as shells report it), never a traceback. Output files are written through
:func:`numerics.atomic.atomic_path`, so an interrupted run leaves none that looks complete.

Standard library only: :func:`install_early` runs before the heavy imports of a command line
(numpy, scipy, matplotlib take seconds), so Ctrl-C during them is reported the same way.
"""

from __future__ import annotations

import os
import signal
import sys

EXIT_INTERRUPTED = 130
INTERRUPTED = "interrupted: partial results not written"


def interrupted() -> int:
    """Report the interruption (one line on stderr) and return the exit status 130."""
    try:
        sys.stderr.write(INTERRUPTED + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    return EXIT_INTERRUPTED


def _exit_now(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    os._exit(interrupted())


def install_early() -> None:
    """Until :func:`install_late`: Ctrl-C exits at once (nothing has been written yet)."""
    if hasattr(signal, "SIGINT"):
        signal.signal(signal.SIGINT, _exit_now)


def install_late() -> None:
    """From here on Ctrl-C raises KeyboardInterrupt, so that ``with`` blocks clean up (worker
    pools shut down, temporary output files removed) before :func:`interrupted` is reported."""
    if hasattr(signal, "SIGINT"):
        signal.signal(signal.SIGINT, signal.default_int_handler)
