"""LaTeX for the appendix: the one escaping function, booktabs tables, figures, the preamble.

Every string that reaches a ``.tex`` file goes through :func:`escape` (symbol names too: the
symbol table in :mod:`latent.paper.maths` escapes what it does not recognise). Tables are
``booktabs`` rules in a ``tabularx`` of the text width, with wrapping columns (``L``), or a
``longtable`` when they are long; numbers use fixed formats (:func:`number`, :func:`estimate`,
:func:`fraction`), so nothing needs ``siunitx``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction

from proofs.tex import escape

__all__ = ["LONG_TABLE_ROWS", "PREAMBLE_PACKAGES", "check_log", "escape", "estimate", "figure",
           "fraction", "latex_escape", "number", "standalone", "table"]

latex_escape = escape  # the name the sections and older code use


# -- numbers ---------------------------------------------------------------------------------

def fraction(x, *, display: bool = False) -> str:
    """An exact rational as inline maths: ``$51/16$`` (tables: readable at any size), or with
    ``display=True`` ``$\\tfrac{51}{16}$``.

    >>> print(fraction("51/16"), fraction(-3), fraction("1/2", display=True))
    $51/16$ $-3$ $\\tfrac{1}{2}$
    """
    q = Fraction(str(x))
    sign = "-" if q < 0 else ""
    q = abs(q)
    if q.denominator == 1:
        return f"${sign}{q.numerator}$"
    if display:
        return rf"${sign}\tfrac{{{q.numerator}}}{{{q.denominator}}}$"
    return f"${sign}{q.numerator}/{q.denominator}$"


def _fixed(x: float, digits: int) -> str:
    if x != x:
        return "n/a"
    if x in (float("inf"), float("-inf")):
        return r"$\infty$" if x > 0 else r"$-\infty$"
    text = f"{x:.{digits}f}"
    return f"${text}$" if text.startswith("-") else text


def number(x, digits: int = 4) -> str:
    """A measured number with a fixed number of decimals (aligned in a right column)."""
    if isinstance(x, str):
        return escape(x)
    return _fixed(float(x), digits)


def estimate(mean, ci=None, digits: int = 4) -> str:
    """An estimate with its 95% interval: ``0.6125 [0.6101, 0.6149]``."""
    if ci is None or ci[0] is None or ci[1] is None:
        return number(mean, digits)
    return f"{number(mean, digits)} {{[}}{number(ci[0], digits)}, {number(ci[1], digits)}{{]}}"


# -- tables and figures ----------------------------------------------------------------------

LONG_TABLE_ROWS = 30  # longer tables are set as a longtable (they may break across pages)


def _spec_for_long(spec: str) -> str:
    """A tabularx spec for a longtable: each ``L`` becomes a wrapping ``p`` column."""
    n_wrap = spec.count("L")
    if not n_wrap:
        return spec
    share = 0.9 / (n_wrap + 0.35 * (len(spec) - n_wrap))
    col = rf">{{\raggedright\arraybackslash}}p{{{share:.3f}\linewidth}}"
    return "".join(col if c == "L" else c for c in spec)


def table(header: Sequence[str], rows: Sequence[Sequence[str]], caption: str, label: str, *,
          spec: str | None = None, escape_cells: bool = True, long: bool | None = None,
          size: str = r"\small", note: str = "", escape_caption: bool = True) -> str:
    """A booktabs table as wide as the text; caption above, ``\\label{tab:<label>}``.

    ``spec`` has one letter per column: ``l``/``r``/``c`` (natural width) or ``L`` (wraps,
    shares the remaining width). Cells are escaped unless ``escape_cells=False`` (then the
    caller has escaped them). ``caption`` (unless ``escape_caption=False``) and ``note`` are
    escaped.

    >>> t = table(["a", "b_c"], [["1", "x&y"]], "A caption", "demo")
    >>> print([ln for ln in t.splitlines() if "&" in ln][-1])
    1 & x\\&y \\\\
    """
    spec = spec or "l" + "L" * (len(header) - 1)
    if len(spec) != len(header) or any(len(r) != len(header) for r in rows):
        raise ValueError(f"table {label}: spec, header and rows must have the same width")
    cell = escape if escape_cells else str
    head = " & ".join(rf"\textbf{{{escape(h)}}}" if escape_cells else h
                      for h in header) + r" \\"
    body = [" & ".join(cell(str(c)) for c in row) + r" \\" for row in rows]
    cap = rf"\caption{{{escape(caption) if escape_caption else caption}}}\label{{tab:{label}}}"
    long = len(rows) > LONG_TABLE_ROWS if long is None else long
    foot = [rf"\par\smallskip{{\footnotesize {escape(note)}\par}}"] if note else []
    if long:
        return "\n".join([
            r"\begingroup" + size, r"\setlength{\LTcapwidth}{\linewidth}",
            rf"\begin{{longtable}}{{@{{}}{_spec_for_long(spec)}@{{}}}}",
            cap + r" \\", r"\toprule", head, r"\midrule", r"\endfirsthead",
            rf"\multicolumn{{{len(header)}}}{{@{{}}l}}{{\emph{{(continued)}}}} \\",
            r"\toprule", head, r"\midrule", r"\endhead", r"\bottomrule", r"\endlastfoot",
            *body, r"\end{longtable}", *foot, r"\endgroup"])
    col = "tabularx" if "L" in spec else "tabular*"
    if col == "tabularx":
        begin = rf"\begin{{tabularx}}{{\linewidth}}{{@{{}}{spec}@{{}}}}"
    else:  # natural widths, spread to the text width
        begin = (rf"\begin{{tabular*}}{{\linewidth}}"
                 rf"{{@{{\extracolsep{{\fill}}}}{spec}@{{}}}}")
    return "\n".join([r"\begin{table}[htbp]", r"\centering" + size, cap, begin, r"\toprule",
                      head, r"\midrule", *body, r"\bottomrule", rf"\end{{{col}}}", *foot,
                      r"\end{table}"])


def figure(path: str, caption: str, label: str, width: float = 0.8, *,
           escape_caption: bool = True) -> str:
    """A figure float with ``\\label{fig:<label>}``; ``path`` is relative to the .tex file."""
    if not re.fullmatch(r"[A-Za-z0-9_./-]+", path):
        raise ValueError(f"figure path {path!r}: letters, digits, _ . / - only")
    return "\n".join([r"\begin{figure}[htbp]", r"\centering",
                      rf"\includegraphics[width={width}\linewidth]{{{path}}}",
                      rf"\caption{{{escape(caption) if escape_caption else caption}}}"
                      rf"\label{{fig:{label}}}", r"\end{figure}"])


PREAMBLE_PACKAGES = ("fontenc", "inputenc", "lmodern", "microtype", "amsmath", "amssymb",
                     "graphicx", "geometry", "array", "booktabs", "tabularx", "longtable",
                     "placeins", "caption")


def standalone(body_file: str, title: str) -> str:
    """A document that inputs the appendix body (``\\input``): the packages it needs, no more.

    Needs TeX Live's ``latex-base``, ``latex-recommended``, ``fonts-recommended`` and
    ``latex-extra`` (for ``placeins``) collections.
    """
    return "\n".join([
        r"\documentclass[10pt]{article}",
        r"\usepackage[T1]{fontenc}",
        r"\usepackage[utf8]{inputenc}",
        r"\usepackage{lmodern}",
        r"\usepackage{microtype}",
        r"\usepackage{amsmath,amssymb}",
        r"\usepackage{graphicx}",
        r"\usepackage[margin=2.5cm]{geometry}",
        r"\usepackage{array,booktabs,tabularx,longtable}",
        r"\usepackage{placeins}",
        r"\usepackage[font=small,labelfont=bf,skip=4pt]{caption}",
        r"\newcolumntype{L}{>{\raggedright\arraybackslash}X}",
        r"\setlength{\emergencystretch}{2em}",
        r"\renewcommand{\topfraction}{0.9}",
        r"\renewcommand{\textfraction}{0.1}",
        r"\renewcommand{\floatpagefraction}{0.8}",
        r"\DeclareUnicodeCharacter{2212}{-}",
        rf"\title{{{escape(title)}}}",
        r"\author{}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
        rf"\input{{{body_file}}}",
        r"\end{document}",
        "",
    ])


# -- the log ---------------------------------------------------------------------------------

def check_log(log: str, tex: str) -> dict:
    """Counts of what a referee would see as sloppiness, from the pdfLaTeX log and the body.

    ``overfull``/``underfull``: box warnings; ``undefined``: undefined references or
    citations; ``unreferenced``: labels of tables and figures that no ``\\ref`` points to;
    ``warnings``: other LaTeX warnings.

    >>> check_log("Overfull \\\\hbox (1pt too wide)", r"\\label{tab:a} see \\ref{tab:a}")
    {'overfull': 1, 'underfull': 0, 'undefined': 0, 'unreferenced': [], 'warnings': 0}
    """
    labels = re.findall(r"\\label\{((?:tab|fig):[^}]*)\}", tex)
    refs = set(re.findall(r"\\ref\{([^}]*)\}", tex))
    return {
        "overfull": len(re.findall(r"^Overfull \\[hv]box", log, re.M)),
        "underfull": len(re.findall(r"^Underfull \\[hv]box", log, re.M)),
        "undefined": len(re.findall(r"(Reference|Citation) `[^']*' on page .* undefined|"
                                    r"There were undefined references", log)),
        "unreferenced": sorted(set(labels) - refs),
        "warnings": len(re.findall(r"^(?:LaTeX|Package \w+) Warning", log, re.M)),
    }
