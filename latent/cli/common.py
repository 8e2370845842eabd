"""Conventions shared by every CLI: one-line errors with exit status 2 and the translation of
the Python API's argument errors into the flags' names.

Standard library only (and :mod:`numerics.limits`): the parsers are built from this module, so
``--help`` imports no numerical package. What needs them (JSON of results, the end of every
command) is :mod:`latent.cli.output`, loaded when a command runs."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import latent
from latent import cli
from latent.cli import entry
from numerics.limits import MAX_WORK, MEMORY_FRACTION, MEMORY_SLACK, enforce_memory_limit

EXIT_USAGE = 2
_ARGUMENT = re.compile(r"([a-z][a-z0-9_]*)(=|:)")


class UsageError(Exception):
    """Bad input from the user: reported as one line on stderr, exit status 2."""


def check_plot_path(path: str | None) -> str | None:
    """The ``--plot`` file, checked before any work: an image format matplotlib writes (by the
    extension) and a folder that exists.

    >>> check_plot_path("spectrum.png")
    'spectrum.png'
    >>> check_plot_path("p.xyz")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    latent.cli.common.UsageError: --plot p.xyz: unknown image format 'xyz' (use one of ...)
    """
    if path is None:
        return None
    # matplotlib only when a plot is asked for: importing it costs more than the command line
    from matplotlib.backend_bases import FigureCanvasBase

    formats = FigureCanvasBase.get_supported_filetypes()
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in formats:
        raise UsageError(f"--plot {path}: unknown image format {suffix!r} (use one of "
                         f"{', '.join(sorted(formats))})")
    return check_out_path("--plot", path)


def check_out_path(flag: str, path: str | None) -> str | None:
    """An output file named by ``flag``, checked before any work: not a folder, in a folder
    that exists.

    >>> check_out_path("--out", ".")
    Traceback (most recent call last):
    ...
    latent.cli.common.UsageError: --out .: is a folder; name a file in it
    """
    if path is None:
        return None
    if Path(path).is_dir():
        raise UsageError(f"{flag} {path}: is a folder; name a file in it")
    parent = Path(path).parent
    if not parent.is_dir():
        raise UsageError(f"{flag} {path}: folder {str(parent)!r} does not exist")
    return path


def add_budget_arguments(parser) -> None:
    """``--max-work`` and ``--max-memory``, the limits every heavy command checks its estimated
    cost against before it starts (the API's ``max_work=`` and ``max_memory=``).

    >>> import argparse
    >>> p = argparse.ArgumentParser(); add_budget_arguments(p)
    >>> budget(p.parse_args(["--max-memory", "4G"]))
    {'max_work': None, 'max_memory': '4G'}
    """
    group = parser.add_argument_group("limits (a larger request is refused before it starts)")
    group.add_argument("--max-work", type=float, default=None, metavar="E",
                       help=f"refuse requests estimated above E elementary evaluations "
                            f"(default {MAX_WORK:.0e}, about ten minutes of one core)")
    group.add_argument("--max-memory", default=None, metavar="SIZE",
                       help=f"refuse requests estimated to hold more than SIZE bytes at "
                            f"once, e.g. 500M, 4G (default {MEMORY_FRACTION * 100:.0f}%% of "
                            "this machine's memory); the process's heap is also limited to "
                            f"SIZE + {MEMORY_SLACK >> 20}M beyond what it had at the start, "
                            "so an allocation no estimate foresaw stops the command with one "
                            "line")


def budget(args) -> dict:
    """The API keywords of :func:`add_budget_arguments`' flags."""
    return {"max_work": args.max_work, "max_memory": args.max_memory}


def fail(message: str) -> int:
    """Print ``error: message`` on stderr (one line) and return the usage exit status."""
    print(f"error: {' '.join(str(message).split())}", file=sys.stderr)
    return EXIT_USAGE


def run_guarded(run: Callable, args, *, enforce_limits: bool = False) -> int:
    """``run(args)`` as a command line ends: its exit status; a usage error, an unreadable or
    unwritable file, or an allocation the cost checks did not foresee as one ``error:`` line
    (status 2); Ctrl-C as the one interruption line (status 130); a reader that went away
    (``| head``) quietly, as Unix tools do. ``enforce_limits`` (a command-line process only,
    never a caller's): ``args.max_memory`` becomes a hard limit of the process's heap
    (:func:`numerics.validate.enforce_memory_limit`). The Ctrl-C handling installed for the
    run is removed after it, so an in-process call leaves its caller as it found it."""
    if enforce_limits:
        # the command's modules first (numpy, pandas … hold ~300 MB of VmData once imported):
        # the limit then counts from the heap they leave, not from the bare parser's. Before
        # install_late: Ctrl-C during these imports ends the process with the one line
        # (entry.install_early's handler), as during the parser's.
        preload(getattr(args, "command", None))
    restore = entry.install_late()
    if enforce_limits:
        enforce_memory_limit(getattr(args, "max_memory", None))
    try:
        check_plot_path(getattr(args, "plot", None))  # before the work, not after it
        return int(run(args) or 0)
    except UsageError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return entry.interrupted()
    except BrokenPipeError:
        if enforce_limits:  # a command-line process: its final flush would fail too
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        if exc.filename is not None and exc.strerror:
            return fail(f"{exc.strerror}: {exc.filename}")
        return fail(f"{type(exc).__name__}: {exc}")
    except MemoryError as exc:
        return fail(f"out of memory ({exc or 'allocation failed'}): ask for less")
    finally:
        restore()


def preload(command: str | None) -> None:
    """Import what running ``command`` (a subcommand, also the name of its ``latent`` function)
    needs: its API module and :mod:`latent.cli.output`. The parsers import neither (``--help``
    stays light); a command line loads them before it limits its own memory."""
    if command and command in latent.__all__:
        getattr(latent, command)
    cli.output  # noqa: B018 - the attribute access is the (lazy) import


_ALSO = re.compile(r"\(or ([a-z_]+(?:, [a-z_]+)*)\)")  # work_budget's ``lower`` names


def flag_message(message: str, flags: Mapping[str, str] | None = None) -> str:
    """An API error message (``name=value: …`` or ``name: …``) with the argument spelled as
    its command-line flag.

    >>> flag_message("max_grade=0: must be an integer ≥ 1")
    '--max-grade 0: must be an integer ≥ 1'
    >>> flag_message("inputs: function needs inputs N ≥ 1")
    '--inputs: function needs inputs N ≥ 1'
    >>> flag_message("lambdas=[nan]: bad", {"lambdas": "--lambda"})
    '--lambda [nan]: bad'
    >>> flag_message("lambdas=9: too large: …, more than max_work=5; lower lambdas or raise "
    ...              "max_work (--max-work)", {"lambdas": "--lambda"})
    '--lambda 9: too large: …, more than --max-work 5; lower --lambda or raise --max-work'
    >>> flag_message("samples=9: too large: …; lower samples (or bidders, n_items) or raise "
    ...              "max_work (--max-work)", {"n_items": "--items"})
    '--samples 9: too large: …; lower --samples (or --bidders, --items) or raise --max-work'
    """
    m = _ARGUMENT.match(message)
    if not m:
        return message
    name = m.group(1)
    flag = (flags or {}).get(name, "--" + name.replace("_", "-"))
    rest = message[m.end():]
    # a cost refusal (numerics.validate.work_budget / memory_budget) in flag terms throughout
    for limit in ("max_work", "max_memory"):
        spelled = "--" + limit.replace("_", "-")
        rest = rest.replace(f"raise {limit} ({spelled})", f"raise {spelled}").replace(
            f"than {limit}=", f"than {spelled} ")
    rest = rest.replace(f"; lower {name} ", f"; lower {flag} ")
    rest = _ALSO.sub(lambda a: "(or " + ", ".join(
        (flags or {}).get(n, "--" + n.replace("_", "-")) for n in a.group(1).split(", ")) + ")",
        rest)
    return f"{flag} {rest}" if m.group(2) == "=" else f"{flag}:{rest}"


def call_api(fn: Callable, flags: Mapping[str, str] | None = None, **kwargs):
    """``fn(**kwargs)``, its argument errors (ValueError/TypeError) and unreadable inputs
    (OSError) re-raised as :class:`UsageError` naming the flag."""
    try:
        return fn(**kwargs)
    except (ValueError, TypeError) as exc:
        raise UsageError(flag_message(str(exc), flags)) from None
    except OSError as exc:
        raise UsageError(str(exc)) from None
