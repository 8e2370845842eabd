"""Text for LaTeX: the one escaping function of the project (:func:`escape`).

Every string that reaches a ``.tex`` file — theorem readings, symbol names, user text, file
names — goes through it, in the report of ``mechanism_design_proof.py --latex`` and in the
appendix alike: no command, group, math, comment or optional argument can get through.
"""

from __future__ import annotations

import unicodedata

__all__ = ["escape"]

_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "^": r"\^{}", "_": r"\_", "~": r"\~{}", "%": r"\%",
    # A "[" right after \\ or \item would be read as an optional argument.
    "[": "{[}", "]": "{]}",
    # Ligatures and T1 quirks: keep them as typed.
    "|": r"\textbar{}", '"': r"\textquotedbl{}",
}

# Known non-ASCII symbols: maths (joined in one $…$ when consecutive) or text.
_MATH = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon",
    "ζ": r"\zeta", "η": r"\eta", "θ": r"\theta", "κ": r"\kappa", "λ": r"\lambda", "μ": r"\mu",
    "ν": r"\nu", "ξ": r"\xi", "π": r"\pi", "ρ": r"\rho", "σ": r"\sigma", "τ": r"\tau",
    "φ": r"\varphi", "χ": r"\chi", "ψ": r"\psi", "ω": r"\omega", "Γ": r"\Gamma",
    "Δ": r"\Delta", "Θ": r"\Theta", "Λ": r"\Lambda", "Π": r"\Pi", "Σ": r"\Sigma",
    "Φ": r"\Phi", "Ψ": r"\Psi", "Ω": r"\Omega",
    "≥": r"\geq", "≤": r"\leq", "≠": r"\neq", "∈": r"\in", "∉": r"\notin", "∧": r"\wedge",
    "∨": r"\vee", "¬": r"\neg", "⇒": r"\Rightarrow", "→": r"\to", "↦": r"\mapsto",
    "·": r"\cdot", "×": r"\times", "∅": r"\emptyset", "≈": r"\approx", "∞": r"\infty",
    "√": r"\surd", "∩": r"\cap", "∪": r"\cup", "⊆": r"\subseteq", "≲": r"\lesssim",
    "∑": r"\sum", "±": r"\pm", "⁺": r"^{+}", "⁻": r"^{-}", "ⁿ": r"^{n}", "′": r"'",
    "−": "-", "∀": r"\forall", "∃": r"\exists", "ℝ": r"\mathbb{R}", "∫": r"\int",
    "<": "<", ">": ">", "²": "^{2}", "³": "^{3}", "¹": "^{1}", "⁰": "^{0}",
}
_MATH.update({chr(0x2080 + k): f"_{{{k}}}" for k in range(10)})  # subscripts ₀…₉
_TEXT = {
    "–": "--", "—": "---", "’": "'", "‘": "`", "“": "``", "”": "''", "…": r"\ldots{}",
    "§": r"\S{}", "°": r"\textdegree{}", "\u00a0": "~", "«": r"\guillemotleft{}",
    "»": r"\guillemotright{}", "£": r"\pounds{}", "€": "EUR", "ß": r"\ss{}",
}
# Break opportunities inside long identifiers (theorem names, file names).
_BREAK_AFTER = frozenset("_/,;[(")


def escape(text, *, breakable: bool = False) -> str:
    """Text for LaTeX: no command, group, math, comment or optional argument can get through.

    Newlines, tabs and other whitespace become spaces; control characters are dropped; known
    Unicode symbols become LaTeX (Greek and operators as inline maths, accents as accented
    letters); any other character becomes ``?``, so the result compiles with plain pdfLaTeX.
    ``breakable`` allows line breaks after ``_ / , ; [ (`` (for long identifiers).

    >>> print(escape(r"a_b {\\input x} 50%"))
    a\\_b \\{\\textbackslash{}input x\\} 50\\%
    >>> print(escape("ε ≥ 0\\n[1]"))
    $\\varepsilon$ $\\geq$ 0 {[}1{]}
    """
    out: list[str] = []
    math: list[str] = []  # consecutive maths symbols share one $…$ ("$a$$b$" would be "$$")
    for ch in str(text):
        if ch in _MATH:
            math.append(_MATH[ch])
            continue
        if math:
            out.append("$" + " ".join(math) + "$")
            math = []
        if ch in _SPECIAL:
            out.append(_SPECIAL[ch])
        elif ch in _TEXT:
            out.append(_TEXT[ch])
        elif ch.isspace():
            out.append(" ")
        elif " " <= ch <= "~":
            out.append(ch)
        elif unicodedata.category(ch)[0] == "C":
            continue  # control, format, surrogate, private use, unassigned
        else:
            out.append(_accented(ch))
        if breakable and ch in _BREAK_AFTER:
            out.append(r"\allowbreak{}")
    if math:
        out.append("$" + " ".join(math) + "$")
    return "".join(out)


_ACCENTS = {"\u0301": "'", "\u0300": "`", "\u0308": '"', "\u0302": "^", "\u0303": "~",
            "\u0327": "c", "\u030c": "v"}


def _accented(ch: str) -> str:
    """``é`` as ``\\'{e}``; anything else not in the tables as ``?``."""
    parts = unicodedata.normalize("NFD", ch)
    if len(parts) == 2 and parts[0].isascii() and parts[0].isalpha() and parts[1] in _ACCENTS:
        return rf"\{_ACCENTS[parts[1]]}{{{parts[0]}}}"
    return "?"
