"""Flags of the command lines: deprecated spellings (accepted for one release, with a one-line
warning on stderr) and API errors reworded in flag terms.

>>> import argparse
>>> p = argparse.ArgumentParser()
>>> _ = p.add_argument("--bidders", type=int)
>>> _ = p.add_argument("--agents", dest="bidders", type=int, action=DeprecatedAlias,
...                    new="--bidders")
>>> p.parse_args(["--agents", "3"]).bidders  # prints the warning on stderr
3
"""

from __future__ import annotations

import argparse
import sys

from latent.cli.common import UsageError, flag_message

__all__ = ["DeprecatedAlias", "flag_error"]


def flag_error(exc: Exception) -> UsageError:
    """A usage error from an API error, naming the flag instead of the keyword argument.

    >>> str(flag_error(ValueError("verify_all=3: must be a bool")))
    '--verify-all 3: must be a bool'
    """
    return UsageError(flag_message(str(exc)))


class DeprecatedAlias(argparse.Action):
    """An old spelling of a flag: stores like the new one (``const`` for a switch) and warns.
    ``new=None`` marks a flag that is accepted but ignored (``why`` says why)."""

    def __init__(self, option_strings, dest, new=None, why="", const=None, nargs=None,
                 **kwargs):
        kwargs.pop("help", None)
        super().__init__(option_strings, dest, nargs=0 if const is not None else nargs,
                         const=const, help=argparse.SUPPRESS, **kwargs)
        self.new, self.why = new, why

    def __call__(self, parser, namespace, values, option_string=None):
        if self.new is None:
            print(f"warning: {option_string} is deprecated and ignored{self.why}",
                  file=sys.stderr)
            return
        print(f"warning: {option_string} is deprecated; use {self.new}", file=sys.stderr)
        setattr(namespace, self.dest, self.const if self.nargs == 0 else values)
