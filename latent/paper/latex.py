"""Small LaTeX helpers for the appendix: escaping user text, tables, the standalone wrapper."""

from __future__ import annotations

from collections.abc import Sequence

from proofs.report import latex_escape

__all__ = ["latex_escape", "table", "standalone", "number"]


def number(x, digits: int = 4, ci=None, exact: bool = False) -> str:
    """A number for a table: marked exact, or with its CI.

    >>> number(0.5, exact=True), number(0.51234, ci=(0.5, 0.52))
    ('0.5 (exact)', '0.5123 [0.5, 0.52]')
    """
    if isinstance(x, str):
        return latex_escape(x) + (" (exact)" if exact else "")
    text = f"{x:.{digits}g}"
    if exact:
        return f"{text} (exact)"
    if ci is not None:
        return f"{text} [{ci[0]:.{digits}g}, {ci[1]:.{digits}g}]"
    return text


def table(header: Sequence[str], rows: Sequence[Sequence[str]], caption: str = "",
          escape: bool = True, fit: bool | None = None) -> str:
    """A ``tabular`` inside a ``table`` float; cells are escaped unless ``escape=False``.

    >>> print(table(["a", "b_c"], [["1", "x&y"]]).splitlines()[3])
    a & b\\_c \\\\ \\hline
    """
    esc = latex_escape if escape else (lambda s: s)
    cols = "l" * len(header)
    fit = len(header) > 5 if fit is None else fit
    lines = [r"\begin{table}[htbp]", r"\centering"]
    if fit:
        lines.append(r"\resizebox{\linewidth}{!}{%")
    lines += [rf"\begin{{tabular}}{{{cols}}}",
             " & ".join(esc(h) for h in header) + r" \\ \hline"]
    for row in rows:
        lines.append(" & ".join(esc(str(c)) for c in row) + r" \\")
    lines.append(r"\end{tabular}" + ("}" if fit else ""))
    if caption:
        lines.append(rf"\caption{{{latex_escape(caption)}}}")
    lines.append(r"\end{table}")
    return "\n".join(lines)


def standalone(body_file: str, title: str) -> str:
    """A minimal document that ``\\input``s the appendix section (standard packages only)."""
    return "\n".join([
        r"\documentclass[10pt]{article}",
        r"\usepackage[T1]{fontenc}",
        r"\usepackage[utf8]{inputenc}",
        r"\usepackage{amsmath,amssymb}",
        r"\usepackage{graphicx}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\DeclareUnicodeCharacter{2212}{-}",
        rf"\title{{{latex_escape(title)}}}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
        rf"\input{{{body_file}}}",
        r"\end{document}",
        "",
    ])
