"""The whole proof report, computed once per test session and shared by the modules that read it.

Proving and auditing everything takes about a minute of CPU; the text, JSON and LaTeX
renderings and the mechanism-theorem tests all read the same :class:`proofs.report.ProofReport`.
Under pytest-xdist the first worker to ask computes it and leaves it (pickled) beside the
workers' temporary folders (this session's: nothing carries over to the next run); the other
waits on a file lock and reads it. The command line's
own plumbing is tested end to end on a selection (``--only``), which is fast.
"""

from __future__ import annotations

import contextlib
import pickle

import pytest

from proofs.companion import THEOREMS
from proofs.report import ProofReport, collect

try:
    import fcntl
except ImportError:  # not POSIX: each worker computes its own
    fcntl = None


@contextlib.contextmanager
def _locked(path):
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def full_report(tmp_path_factory) -> ProofReport:
    base = tmp_path_factory.getbasetemp()
    if fcntl is None or not base.name.startswith("popen-gw"):  # not an xdist worker
        return collect(THEOREMS)
    shared = base.parent / "full_report.pickle"
    with _locked(base.parent / "full_report.lock"):
        if shared.is_file():
            return pickle.loads(shared.read_bytes())
        report = collect(THEOREMS)
        shared.write_bytes(pickle.dumps(report))
        return report
