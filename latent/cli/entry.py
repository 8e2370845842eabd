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
import threading

EXIT_INTERRUPTED = 130
INTERRUPTED = "interrupted: partial results not written"


def interrupted() -> int:
    """Report the interruption (one line on stderr) and return the exit status 130."""
    _disarm()
    try:
        sys.stderr.write(INTERRUPTED + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    return EXIT_INTERRUPTED


def exit_process(code: int):
    """End a command-line process with ``code``. After an interruption the process ends at once
    (``os._exit``, streams flushed): the run was abandoned mid-way, and finalizers of
    half-built third-party objects would otherwise print "Exception ignored" tracebacks."""
    if code == EXIT_INTERRUPTED:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
    sys.exit(code)


def _exit_now(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    os._exit(interrupted())


def install_early() -> None:
    """Until :func:`install_late`: Ctrl-C exits at once (nothing has been written yet)."""
    if hasattr(signal, "SIGINT"):
        signal.signal(signal.SIGINT, _exit_now)


def install_late():
    """From here on Ctrl-C raises KeyboardInterrupt, so that ``with`` blocks clean up (worker
    pools shut down, temporary output files removed) before :func:`interrupted` is reported.

    A KeyboardInterrupt raised while Python runs a finalizer (``__del__``, e.g. of a z3 or
    matplotlib object) is swallowed and the run would go on: so after the first Ctrl-C it is
    raised again every 0.25 s until the dispatcher reports it, and swallowed ones print
    nothing.

    Returns a function that puts back what was there before (the SIGINT handler and
    ``sys.unraisablehook``): a command line run in-process (``main([...])`` from Python or a
    test) leaves its caller as it found it."""
    main_thread = threading.current_thread() is threading.main_thread()
    before = signal.getsignal(signal.SIGINT) if main_thread and hasattr(signal, "SIGINT") \
        else None
    hook = sys.unraisablehook
    if before is not None:
        signal.signal(signal.SIGINT, _raise_interrupt)
    sys.unraisablehook = _quiet_interrupts

    def restore() -> None:
        _disarm()
        _seen.clear()
        if before is not None:
            signal.signal(signal.SIGINT, before)
        sys.unraisablehook = hook

    return restore


_armed: list[bool] = []  # the repeat timer runs
_seen: list[bool] = []  # Ctrl-C was pressed (the run is abandoned)


def _raise_interrupt(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    _seen.append(True)
    if hasattr(signal, "setitimer") and not _armed:
        _armed.append(True)
        signal.signal(signal.SIGALRM, _raise_interrupt)
        signal.setitimer(signal.ITIMER_REAL, 0.25, 0.25)
    raise KeyboardInterrupt


def _disarm() -> None:
    if _armed:
        _armed.clear()
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        signal.signal(signal.SIGALRM, signal.SIG_IGN)


def _quiet_interrupts(unraisable) -> None:
    # after Ctrl-C the run is abandoned: finalizers of objects it left half-built (a z3
    # Context interrupted in its __init__) fail, and that is not worth a traceback
    if _seen or isinstance(unraisable.exc_value, KeyboardInterrupt):
        return
    sys.__unraisablehook__(unraisable)
