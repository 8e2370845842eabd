"""The paper appendix, regenerated from one command: ``python -m latent appendix --out DIR``.

Each section is a function ``(Context) -> Section`` in :mod:`latent.paper.sections`; it
computes its numbers in this run (nothing is typed into a template), returns its LaTeX, the
data behind its tables (CSV/JSON) and its figures. :func:`build_appendix` writes
``appendix.tex`` (to ``\\input`` in a paper), ``appendix_standalone.tex``, the data, figures and
a manifest, and compiles the PDF when ``pdflatex`` is available (TeX Live's latex-base,
latex-recommended, fonts-recommended and latex-extra collections; without TeX everything but
the PDF is written). pdfLaTeX's own files (``.aux``, ``.log``) go to ``DIR/build/``; the log is
checked by :func:`latent.paper.latex.check_log` (overfull/underfull boxes, undefined references,
unreferenced tables and figures) and the counts are recorded in the manifest. Outputs are
deterministic for a given seed: JSON keys are sorted, figures carry no timestamps, and pdfTeX is
run with ``SOURCE_DATE_EPOCH`` fixed; only ``manifest.json`` records the wall-clock time.
"""

from __future__ import annotations

import importlib.metadata as md
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from latent.paper.base import Context, Section, dumps
from latent.paper.latex import check_log, escape, standalone
from latent.paper.sections import SECTIONS
from numerics.atomic import write_text
from numerics.results import Result

__all__ = ["BUILD_DIR", "QUICK_HELP", "REQUIREMENTS", "AppendixResult", "Context", "Section",
           "build_appendix", "compile_pdf", "dumps"]

BUILD_DIR = "build"  # pdfLaTeX's auxiliary files and log, inside --out

# What ``python -m latent appendix --help`` should say (the command line is owned elsewhere:
# latent/cli/appendix.py can use these in its --quick help and epilog).
QUICK_HELP = "small samples and grids (about 30 s on 2 cores; what CI runs)"
REQUIREMENTS = (
    "The PDF needs pdflatex with TeX Live's latex-base, latex-recommended, fonts-recommended "
    "and latex-extra collections and Latin Modern (Debian: texlive-latex-base "
    "texlive-latex-recommended texlive-fonts-recommended texlive-latex-extra lmodern). "
    "Without TeX, or with --no-pdf, everything else is written: appendix.tex, data, figures "
    "and manifest. pdflatex's .aux and .log files go to OUT/build/. Measured on a 2-core "
    "machine, pdflatex included: --quick 27 s, the full run 161 s (several times longer "
    "when the machine is busy).")


@dataclass(frozen=True, kw_only=True)
class AppendixResult(Result):
    """What :func:`build_appendix` wrote: the folder, each section (``ok`` is False when a
    check inside it failed), the PDF (``None`` without pdflatex) and the run time."""

    out: Path
    sections: tuple[Section, ...]
    pdf: Path | None
    latex_log: str | None  # the full pdfLaTeX log of the last run (None: not compiled)
    seconds: float
    log_check: dict | None = None  # check_log's counts (None: not compiled)

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.sections)

    def to_dict(self) -> dict:
        return {"out": str(self.out), "ok": self.ok,
                "pdf": None if self.pdf is None else str(self.pdf), "seconds": self.seconds,
                "sections": [{"title": s.title, "ok": s.ok, "problems": list(s.problems),
                              "files": sorted(s.files), "omitted": s.omitted}
                             for s in self.sections]}

    def to_frame(self) -> pd.DataFrame:
        """One row per section: title, ok, problems (joined), the number of files and why it
        was omitted (empty when it was not)."""
        return pd.DataFrame([{"section": s.title, "ok": s.ok, "problems": "; ".join(s.problems),
                              "files": len(s.files), "omitted": s.omitted or ""}
                             for s in self.sections],
                            columns=["section", "ok", "problems", "files", "omitted"])

    def _repr_items(self) -> list:
        return [("out", str(self.out)), ("ok", self.ok), ("sections", len(self.sections)),
                ("pdf", None if self.pdf is None else self.pdf.name),
                ("seconds", self.seconds)]

    def __str__(self) -> str:
        lines = [f"{s.title}: " + ("FAILED: " + ", ".join(s.problems) if not s.ok else
                                   f"omitted ({s.omitted})" if s.omitted else "ok")
                 for s in self.sections]
        lines.append(f"wrote {self.out / 'appendix.tex'}"
                     + (f" and {self.pdf}" if self.pdf else " (pdflatex not found: no PDF)")
                     + f" in {self.seconds:.0f} s")
        return "\n".join(lines)


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("numpy", "scipy", "sympy", "mpmath", "z3-solver", "cvc5", "matplotlib"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parent, timeout=10,
                              check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def compile_pdf(tex_dir: Path, main: str = "appendix_standalone.tex"):
    """Run pdflatex until cross-references settle (at most 3 times), auxiliary files in
    ``tex_dir/build``; returns (pdf path or None, log text or None). Raises on failure."""
    exe = shutil.which("pdflatex")
    if exe is None:
        return None, None
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1"}
    build = tex_dir / BUILD_DIR
    build.mkdir(exist_ok=True)
    stem = main.removesuffix(".tex")
    log = ""
    for _ in range(3):
        proc = subprocess.run([exe, "-interaction=nonstopmode", "-halt-on-error",
                               f"-output-directory={BUILD_DIR}", main],
                              cwd=tex_dir, capture_output=True, text=True, env=env,
                              timeout=300)
        log_file = build / f"{stem}.log"
        log = log_file.read_text(encoding="latin-1") if log_file.exists() else proc.stdout
        if proc.returncode != 0:
            raise RuntimeError("pdflatex failed: " + " | ".join(
                ln for ln in log.splitlines() if ln.startswith("!"))[:500])
        if "Rerun to get" not in log and "Label(s) may have changed" not in log:
            break
    pdf = tex_dir / f"{stem}.pdf"
    shutil.move(build / f"{stem}.pdf", pdf)
    return pdf, log


def build_appendix(out: str | Path, *, quick: bool = True, seed: int = 0,
                   data_dir: str | Path | None = None, compile: bool = True,
                   progress: bool = False, sections=None, limits=None) -> AppendixResult:
    """Compute every section and write the appendix into ``out``."""
    t0 = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    # manifest.json marks a complete appendix: gone until this run has written everything
    (out / "manifest.json").unlink(missing_ok=True)
    ctx = Context(out=out, quick=quick, seed=seed, data_dir=Path(data_dir) if data_dir else None,
                  progress=progress, limits=dict(limits or {}))
    built = []
    # Figures carry no creation date (matplotlib and pdfTeX honour SOURCE_DATE_EPOCH).
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "0"
    try:
        for make in (sections or SECTIONS):
            built.append(make(ctx))
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
    body = [r"% Generated by python -m latent appendix (do not edit by hand).",
            r"\section*{Appendix: machine-checked and measured results}"]
    for sec in built:
        body.append(rf"\subsection*{{{escape(sec.title)}}}")
        body.append(sec.tex)
        body.append(r"\FloatBarrier")  # this section's floats are printed before the next
        for rel, text in sec.files.items():
            path = out / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            write_text(path, text)
    write_text(out / "appendix.tex", "\n\n".join(body) + "\n")
    write_text(out / "appendix_standalone.tex",
               standalone("appendix", "Latent mechanism design: appendix"))
    pdf, log = compile_pdf(out) if compile else (None, None)
    checked = check_log(log, (out / "appendix.tex").read_text(encoding="utf-8")) \
        if log is not None else None
    seconds = time.perf_counter() - t0
    manifest = {
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "quick": quick, "seed": seed, "versions": _versions(), "git_commit": _git_commit(),
        "seconds": round(seconds, 2), "created": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                               time.gmtime()),
        "sections": [{"title": s.title, "ok": s.ok, "problems": list(s.problems),
                      "files": sorted(s.files)} for s in built],
        "pdf": pdf.name if pdf else None,
        "latex_log": checked,
    }
    write_text(out / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return AppendixResult(out=out, sections=tuple(built), pdf=pdf, latex_log=log,
                          seconds=seconds, log_check=checked)
