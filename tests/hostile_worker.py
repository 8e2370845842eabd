"""Worker process of tests/test_hostile_harness.py (not a test module): reads one JSON case
per line on stdin, runs it in this process, writes one JSON result per line on stdout.

Cases: ``{"cli": [argv...]}`` (``python -m latent ARGV``; ``["estimate_rho", ...]`` is
``python -m latent.estimate_rho``) → exit code and stderr; ``{"api": NAME, "kwargs": {...}}`` →
the exception raised by ``latent.NAME(**kwargs)`` (type and message) or none. Each case has
a time limit (SIGALRM); the harness sets the memory limit on this process.
"""

from __future__ import annotations

import contextlib
import io
import json
import signal
import sys
import traceback
import warnings


class CaseTimeout(BaseException):
    pass


def _alarm(signum, frame):
    raise CaseTimeout


def _cli(argv):
    from latent.__main__ import main
    from latent.cli.estimate_rho import run_cli

    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out), \
            warnings.catch_warnings():
        warnings.simplefilter("always")
        try:
            code = run_cli(argv[1:]) if argv[0] == "estimate_rho" else main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except CaseTimeout:
            code = "timeout"
        except BaseException:  # noqa: BLE001 - the harness reports it
            traceback.print_exc()
            code = "traceback"
    return {"code": code, "stderr": err.getvalue()}


def _api(name, kwargs):
    import latent

    fn = getattr(latent, name)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()), \
            warnings.catch_warnings():
        warnings.simplefilter("always")
        try:
            fn(**kwargs)
        except CaseTimeout:
            return {"raised": "timeout", "message": ""}
        except BaseException as exc:  # noqa: BLE001 - the harness judges the type
            return {"raised": type(exc).__name__, "message": str(exc),
                    "bases": [c.__name__ for c in type(exc).__mro__]}
    return {"raised": None, "message": "", "stderr": err.getvalue()}


def _load_everything() -> None:
    """Import every entry point and the command lines' output module before any case: the
    parsers import none of them (``--help`` stays light), and the first case to need one would
    otherwise spend its time limit importing the numerical stack."""
    import latent
    import latent.cli.output  # noqa: F401

    for name in latent.__all__:
        getattr(latent, name)


def main() -> None:
    _load_everything()
    signal.signal(signal.SIGALRM, _alarm)
    for line in sys.stdin:
        case = json.loads(line)
        signal.alarm(int(case.get("timeout", 25)))
        try:
            res = _cli(case["cli"]) if "cli" in case else _api(case["api"], case["kwargs"])
        except CaseTimeout:
            res = {"code": "timeout", "stderr": "", "raised": "timeout", "message": ""}
        finally:
            signal.alarm(0)
        sys.__stdout__.write(json.dumps(res) + "\n")
        sys.__stdout__.flush()


if __name__ == "__main__":
    main()
