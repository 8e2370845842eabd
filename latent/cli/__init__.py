"""Subcommands of ``python -m latent``.

Each subcommand is a module here exposing ``NAME`` (the subcommand), ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int``. :mod:`latent.__main__` discovers them, so
adding a subcommand touches no other file.
"""
