"""Same seed, same numbers on every executor: each subcommand that takes ``--executor`` is run
at a small size inline, on the local pool (2 workers) and on Dask (skipped without
dask.distributed); the JSON documents agree except for the executor's own description."""

from __future__ import annotations

import json

import pytest

from latent.__main__ import main

EXECUTORS = ["inline", "local", "dask"]
COMMANDS = {
    "landscape": ["landscape", "--formats", "second_price,posted_unlimited", "--bidders", "3",
                  "--samples", "3000", "--revenue-samples", "3000", "--lp", "none",
                  "--batch-size", "700", "--seed", "5"],
    "simulate": ["simulate", "--mechanism", "myerson", "--values", "uniform", "--bidders", "3",
                 "--samples", "5000", "--batch-size", "900", "--seed", "5", "--regret-grid",
                 "8", "--refine", "1"],
}


def _strip(doc):
    """The document without the fields that describe the run rather than its numbers."""
    if isinstance(doc, dict):
        return {k: _strip(v) for k, v in doc.items()
                if k not in ("executor", "workers", "scheduler", "seconds", "engine")}
    if isinstance(doc, list):
        return [_strip(v) for v in doc]
    return doc


def _run(capsys, argv):
    assert main([*argv, "--json", "--quiet"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_same_seed_same_numbers_on_every_executor(capsys, command):
    docs = {}
    for executor in EXECUTORS:
        if executor == "dask":
            pytest.importorskip("dask.distributed")
        docs[executor] = _run(capsys, [*COMMANDS[command], "--executor", executor,
                                       "--workers", "2"])
    base = _strip(docs["inline"])
    for executor in EXECUTORS[1:]:
        assert _strip(docs[executor]) == base, executor
    # and the seed matters (the comparison is not vacuous)
    other = _run(capsys, [*[a if a != "5" else "6" for a in COMMANDS[command]],
                          "--executor", "inline"])
    assert _strip(other) != base
