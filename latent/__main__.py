"""``python -m latent <subcommand>``: one entry point, subcommands discovered in latent.cli.

Example::

    python -m latent --help
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path

from latent.cli import entry

if __name__ == "__main__" or Path(sys.argv[0]).name == "latent":  # a command-line process
    entry.install_early()  # Ctrl-C during the imports below: one line, exit 130

from latent import cli  # noqa: E402
from latent.cli.common import EXIT_USAGE, fail, run_guarded  # noqa: E402


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line with exit status 2 (no usage dump)."""

    def error(self, message: str):  # noqa: D401 - argparse API
        sys.exit(fail(f"{self.prog}: {message}"))


def _subcommands():
    for info in sorted(pkgutil.iter_modules(cli.__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name in cli.HELPERS:
            continue
        module = importlib.import_module(f"latent.cli.{info.name}")
        if hasattr(module, "NAME") and hasattr(module, "run"):
            yield module


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="latent",
        description="Latent mechanism design: spectra, simulation, optimal mechanisms.",
        epilog="Example: python -m latent spectrum --help",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND", parser_class=_Parser)
    for module in _subcommands():
        p = sub.add_parser(
            module.NAME,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            epilog=getattr(module, "EPILOG", None),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None, *, enforce_limits: bool = False) -> int:
    """Run ``latent ARGV``; returns the exit status. ``enforce_limits``: make ``--max-memory``
    a hard limit of this process (for a command-line process: :func:`command_line`)."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
    except KeyboardInterrupt:
        return entry.interrupted()
    if not getattr(args, "_run", None):
        parser.print_help()
        return EXIT_USAGE
    return run_guarded(args._run, args, enforce_limits=enforce_limits)


def command_line() -> None:
    """The ``latent`` executable: :func:`main` with its limits enforced, then exit."""
    entry.exit_process(main(enforce_limits=True))


if __name__ == "__main__":
    command_line()
