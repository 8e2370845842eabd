"""Mathematics for the appendix, rendered from the sympy statements (never typed by hand).

:func:`symbol` is the symbol table: a variable name ``base_sub`` becomes ``base`` with the
subscript ``sub``; Greek names become Greek letters (``eps`` is ε), one-letter names stay
italic, multi-letter names are set as ``\\mathit{gap}`` (so ``gap·eps`` is not read as the
product of five letters), multi-letter subscripts upright (``\\eta_{\\mathrm{opt}}``), and
anything else is escaped. :func:`latex` is ``sympy.latex`` with that table;
:func:`statement` sets a theorem's named hypotheses and its conclusion; :func:`assignment`
sets a countermodel or a certificate as ``m_{1} = 0, v_{1} = 1``; :func:`prose` sets a sentence
whose mathematical fragments (``ε_{n+1}``, ``r^(n-1)``) become inline maths.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from fractions import Fraction

import sympy as sp

from latent.paper.latex import escape

__all__ = ["GREEK", "assignment", "join_math", "latex", "prose", "statement", "symbol", "value"]

GREEK = {
    "alpha": r"\alpha", "beta": r"\beta", "gamma": r"\gamma", "delta": r"\delta",
    "eps": r"\varepsilon", "epsilon": r"\varepsilon", "zeta": r"\zeta", "eta": r"\eta",
    "theta": r"\theta", "kappa": r"\kappa", "lambda": r"\lambda", "lam": r"\lambda",
    "mu": r"\mu", "nu": r"\nu", "xi": r"\xi", "pi": r"\pi", "rho": r"\rho", "sigma": r"\sigma",
    "tau": r"\tau", "phi": r"\varphi", "chi": r"\chi", "psi": r"\psi", "omega": r"\omega",
    "Gamma": r"\Gamma", "Delta": r"\Delta", "Theta": r"\Theta", "Lambda": r"\Lambda",
    "Pi": r"\Pi", "Sigma": r"\Sigma", "Phi": r"\Phi", "Psi": r"\Psi", "Omega": r"\Omega",
}
_UNICODE_GREEK = {"ε": "eps", "ρ": "rho", "η": "eta", "Δ": "Delta", "σ": "sigma",
                  "ψ": "psi", "θ": "theta", "α": "alpha", "β": "beta", "λ": "lambda",
                  "μ": "mu", "τ": "tau", "π": "pi", "Σ": "Sigma", "Θ": "Theta"}
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")


def _base(name: str) -> str:
    if name in GREEK:
        return GREEK[name]
    if not _IDENT.match(name):
        return rf"\text{{{escape(name)}}}"
    if len(name) == 1:
        return name
    return rf"\mathit{{{name}}}"


def _sub(part: str) -> str:
    if part in GREEK:
        return GREEK[part]
    if re.fullmatch(r"[0-9]+|[A-Za-z]", part):
        return part
    if _IDENT.match(part):
        return rf"\mathrm{{{part}}}"
    return rf"\text{{{escape(part)}}}"


def symbol(name: str) -> str:
    """The LaTeX of a variable name.

    >>> print(" ".join(symbol(n) for n in ("gap", "eps_next", "Delta_1", "D_VCG", "m_1")))
    \\mathit{gap} \\varepsilon_{\\mathrm{next}} \\Delta_{1} D_{\\mathrm{VCG}} m_{1}
    """
    name = str(name)
    base, _, sub = name.partition("_")
    if not base:  # a leading underscore: no base to hang a subscript on
        return rf"\text{{{escape(name)}}}"
    out = _base(base)
    if sub:
        out += "_{" + ",".join(_sub(p) for p in sub.split("_") if p) + "}"
    return out


def latex(expr, *, fold: bool = False) -> str:
    """``sympy.latex`` with the symbol table; ``fold`` sets short fractions as ``1/6`` (for
    tables, where ``\\frac`` would be set at script size).

    >>> print(latex(sp.Rational(1, 6)), latex(sp.Rational(1, 6), fold=True))
    \\frac{1}{6} 1 / 6
    """
    expr = sp.sympify(expr)
    names = {s: symbol(s.name) for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    return sp.latex(expr, symbol_names=names, mul_symbol=None, fold_short_frac=fold)


def _abbreviate(exprs, taken: set[str]):
    """Replace each outermost ``Piecewise`` by a symbol ``u_k`` (numbered in order of first
    appearance), so that long case distinctions are defined once, on their own line."""
    letter = next(c for c in ("u", "w", "z", "q", "h") if c not in taken)
    names: dict[sp.Basic, sp.Symbol] = {}

    def visit(e):
        if isinstance(e, sp.Piecewise):
            if e not in names:
                names[e] = sp.Symbol(f"{letter}_{len(names) + 1}", real=True)
            return
        for a in e.args:
            visit(a)

    for e in exprs:
        visit(sp.sympify(e))
    subs = {pw: sym for pw, sym in names.items()}
    return [sp.sympify(e).xreplace(subs) for e in exprs], [(sym, pw) for pw, sym in
                                                            names.items()]


def _conjuncts(expr) -> list:
    return list(expr.args) if isinstance(expr, sp.And) else [expr]


def statement(hypotheses: Iterable, conclusion, *, names: bool = True,
              alternatives: Iterable[tuple[str, object]] = ()) -> str:
    """A displayed theorem: one hypothesis per line (with its name), then the conclusion, one
    conjunct per line; case distinctions are named ``u_k`` and defined below ("where").

    ``hypotheses`` are objects with ``name`` and ``relation`` (``proofs.Hypothesis``);
    ``alternatives`` are ``(label, conclusion)`` pairs set after it, with the same names (the
    nearby claims the audit refutes).
    """
    hypotheses, alternatives = list(hypotheses), list(alternatives)
    taken = {str(s).split("_")[0] for h in hypotheses for s in sp.sympify(h.relation).free_symbols}
    taken |= {str(s).split("_")[0] for s in sp.sympify(conclusion).free_symbols}
    for _, alt in alternatives:
        taken |= {str(s).split("_")[0] for s in sp.sympify(alt).free_symbols}
    exprs, defs = _abbreviate([h.relation for h in hypotheses] + [conclusion]
                              + [alt for _, alt in alternatives], taken)
    alts = exprs[len(hypotheses) + 1:]
    exprs = exprs[:len(hypotheses) + 1]
    lines = []
    for h, rel in zip(hypotheses, exprs, strict=False):
        tag = rf"&& \text{{\small\ttfamily {escape(h.name)}}}" if names else ""
        lines.append(rf"& {latex(rel)} {tag}")
    arrow = r"\Longrightarrow\quad" if hypotheses else ""
    for k, part in enumerate(_conjuncts(exprs[-1])):
        lines.append((arrow if k == 0 else r"\wedge\quad") + rf" & {latex(part)}")
    for (label, _), alt in zip(alternatives, alts, strict=True):
        # The label on a line of its own (\intertext does not widen the columns): beside the
        # claim, the widest claim plus the longest label ran into the margin.
        said = rf"\intertext{{\small refuted: \ttfamily {escape(label)}}}"
        for k, part in enumerate(_conjuncts(alt)):
            lines.append((said + r"\text{not}\quad" if k == 0 else r"\wedge\quad")
                         + rf" & {latex(part)}")
    out = "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"
    if defs:  # a block of its own: the names column above would widen it
        where = [(r"\text{where}\quad" if k == 0 else "") + rf" & {latex(sym)} = {latex(pw)}"
                 for k, (sym, pw) in enumerate(defs)]
        out += "\n\\begin{align*}\n" + " \\\\\n".join(where) + "\n\\end{align*}"
    return out


def value(text, *, slash: bool = False) -> str:
    """A model value (``'1/2'``, ``'-3'``, ``'√2 ≈ 1.414…'``) as LaTeX maths (no ``$``)."""
    s = str(text).strip()
    exact, _, approx = s.partition("≈")
    try:
        q = Fraction(exact.strip())
    except (ValueError, ZeroDivisionError):
        if approx:
            return r"\approx " + escape(approx.strip())
        return rf"\text{{{escape(s)}}}"
    sign = "-" if q < 0 else ""
    q = abs(q)
    if q.denominator == 1:
        return f"{sign}{q.numerator}"
    if slash:  # in tables, where \tfrac would be set at script size
        return f"{sign}{q.numerator}/{q.denominator}"
    return rf"{sign}\tfrac{{{q.numerator}}}{{{q.denominator}}}"


def _natural(name: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def assignment(model: Mapping[str, object] | None, *, key=symbol, slash: bool = False) -> str:
    """A countermodel or certificate as inline maths: ``$m_{1} = 0,\\ v_{1} = 1$``.

    >>> assignment({"v_1": "1", "m_1": "0", "eps": "1/2"})
    '$\\\\varepsilon = \\\\tfrac{1}{2},\\\\ m_{1} = 0,\\\\ v_{1} = 1$'
    """
    if not model:
        return "--"
    items = sorted(model.items(), key=lambda kv: _natural(kv[0]))
    return "$" + r",\ ".join(f"{key(k)} = {value(v, slash=slash)}" for k, v in items) + "$"


# -- prose with mathematical fragments --------------------------------------------------------

_GREEK_WORD = "|".join(sorted(GREEK, key=len, reverse=True))
_FRAGMENT = re.compile(
    r"(?<![A-Za-z])"
    r"(?P<base>[A-Za-z]+|[" + "".join(_UNICODE_GREEK) + r"])"
    r"(?:_(?P<sub>\{[^{}\s]*\}|[A-Za-z0-9]+))?"
    r"(?:\^(?P<sup>\([^()\s]*\)|-?[A-Za-z0-9]+))?")


def _fragment_latex(base: str, sub: str | None, sup: str | None) -> str:
    base = _UNICODE_GREEK.get(base, base)
    out = GREEK.get(base) or (base if len(base) == 1 else rf"\mathit{{{base}}}")
    if sub:
        inner = sub[1:-1] if sub.startswith("{") else sub
        out += "_{" + _inline(inner) + "}"
    if sup:
        inner = sup[1:-1] if sup.startswith("(") else sup
        out += "^{" + _inline(inner) + "}"
    return out


def _inline(text: str) -> str:
    """A short maths fragment (a sub- or superscript): names through the table, rest escaped."""
    out = []
    for tok in re.split(r"([A-Za-z]+|[0-9]+)", text):
        if not tok:
            continue
        if tok.isdigit():
            out.append(tok)
        elif tok.isalpha():
            out.append(GREEK.get(tok) or (tok if len(tok) == 1 else rf"\mathrm{{{tok}}}"))
        else:
            out.append("".join(c if c in "+-=,()" else escape(c) for c in tok))
    return "".join(out)


def prose(text: str) -> str:
    """A sentence from the theorem data, escaped, with sub/superscripted names as maths.

    Only fragments with an explicit ``_`` or ``^`` (or a Greek letter) are set as maths; the
    rest is escaped text, so nothing in the sentence can inject LaTeX.

    >>> print(prose("if r·ε_{n+1} = ε_n, then D_VCG > 0 and r^(n-1) > 0"))
    if r$\\cdot \\varepsilon_{n+1}$ = $\\varepsilon_{n}$, then $D_{\\mathrm{VCG}}$ $>$ 0 and \
$r^{n-1}$ $>$ 0
    """
    out, pos = [], 0
    for m in _FRAGMENT.finditer(text):
        base, sub, sup = m.group("base"), m.group("sub"), m.group("sup")
        if not (sub or sup) or (base.isascii() and not base.isalpha()):
            continue
        if base.isascii() and len(base) > 1 and base not in GREEK and not sub:
            continue  # "word^2" stays text unless it is a named variable with a subscript
        out.append(escape(text[pos:m.start()]))
        if _identifier(base, sub, sup):
            out.append(rf"\texttt{{{escape(m.group(0), breakable=True)}}}")
            pos = m.end()
            continue
        out.append("$" + _fragment_latex(base, sub, sup) + "$")
        pos = m.end()
    out.append(escape(text[pos:]))
    return join_math("".join(out))


def _identifier(base: str, sub: str | None, sup: str | None) -> bool:
    """``gap_positive``, ``eps_below_one``: a hypothesis name, not a subscripted variable."""
    return (sup is None and sub is not None and not sub.startswith("{")
            and sub.islower() and len(sub) > 3 and sub not in GREEK)


def join_math(tex: str) -> str:
    """Merge adjacent inline maths: ``$a$$b$`` would open a display; it becomes ``$a b$``."""
    return re.sub(r"(?<!\\)\$\$", " ", tex)
