"""Instance files (JSON or TOML) for efficient mechanisms, and the combinatorial-auction helper.

Two forms (full description: ``docs/efficient_instance_format.md``):

* explicit outcomes — ``{"outcomes": [...], "agents": [{"report": ..., "type_space": ...}]}``,
  agent coordinates are the outcomes (``v_i ∈ R^Γ``);
* combinatorial auction — ``{"items": [...], "agents": [{"bids": {bundle: value},
  "bundles": [...], "type_space": ...}]}``; Γ = every way to give each bidder nothing or one of
  its bundles, disjointly (XOR bids); coordinates are the bidder's bundles.

Errors raise :class:`InstanceError` with one line naming the offending field.
"""

from __future__ import annotations

import json
import math
import tomllib
from fractions import Fraction
from pathlib import Path

from numerics.efficient.model import Model, Polyhedron, nonnegative_orthant

MAX_OUTCOMES = 20000
MAX_NUMBER = 10**12
_AGENT_KEYS = {
    "name",
    "report",
    "bids",
    "bundles",
    "type_space",
    "distribution",
    "comment",
    "description",
}
_PIECE_KEYS = {"label", "point", "points", "lower", "upper", "fixed", "constraints", "comment"}


class InstanceError(ValueError):
    """A malformed instance; the message is one line and names the field."""


def number(x, where: str) -> Fraction:
    """Exact number from JSON: int, finite float (by its decimal repr) or a string like "1/3";
    magnitudes and denominators up to 10^12 (HiGHS works in doubles before the exact check).

    >>> number("2/6", "x"), number(0.1, "x")
    (Fraction(1, 3), Fraction(1, 10))
    """
    q = _number(x, where)
    if abs(q) > MAX_NUMBER or q.denominator > MAX_NUMBER:
        raise InstanceError(f"{where}: out of range (|x| and denominators up to 10^12)")
    return q


def _number(x, where: str) -> Fraction:
    if isinstance(x, bool):
        raise InstanceError(f"{where}: expected a number, got a boolean")
    if isinstance(x, int):
        return Fraction(x)
    if isinstance(x, float):
        if not math.isfinite(x):
            raise InstanceError(f"{where}: expected a finite number, got {x}")
        return Fraction(repr(x))
    if isinstance(x, str):
        try:
            return Fraction(x.strip())
        except (ValueError, ZeroDivisionError):
            raise InstanceError(f"{where}: not a number: {x[:40]!r}") from None
    raise InstanceError(f"{where}: expected a number, got {type(x).__name__}")


def _obj(x, where: str, keys=None) -> dict:
    if not isinstance(x, dict):
        raise InstanceError(f"{where}: expected an object, got {type(x).__name__}")
    if keys is not None:
        extra = sorted(set(x) - keys)
        if extra:
            raise InstanceError(f"{where}: unknown field {extra[0]!r}")
    return x


def _list(x, where: str, nonempty: bool = True) -> list:
    if not isinstance(x, list):
        raise InstanceError(f"{where}: expected a list, got {type(x).__name__}")
    if nonempty and not x:
        raise InstanceError(f"{where}: must not be empty")
    return x


def _names(x, where: str) -> tuple[str, ...]:
    out = _list(x, where)
    for k, name in enumerate(out):
        if not isinstance(name, str) or not name:
            raise InstanceError(f"{where}[{k}]: expected a nonempty string")
    if len(set(out)) != len(out):
        raise InstanceError(f"{where}: duplicate names")
    return tuple(out)


def vector(x, coords: tuple[str, ...], where: str, key=None) -> tuple[Fraction, ...]:
    """A list of ``len(coords)`` numbers, or an object ``{coord: number}`` (missing = 0).

    >>> vector({"y": 2}, ("x", "y"), "report")
    (Fraction(0, 1), Fraction(2, 1))
    """
    if isinstance(x, list):
        if len(x) != len(coords):
            raise InstanceError(f"{where}: expected {len(coords)} values, got {len(x)}")
        return tuple(number(v, f"{where}[{k}]") for k, v in enumerate(x))
    out = [Fraction(0)] * len(coords)
    for name, v in _obj(x, where).items():
        out[_coord(name, coords, where, key)] = number(v, f"{where}.{name}")
    return tuple(out)


def _coord(name, coords, where, key=None) -> int:
    c = key(name) if key is not None else name
    if c is None or c not in coords:
        raise InstanceError(f"{where}: unknown coordinate {name!r}")
    return coords.index(c)


def _piece(x, coords, where, key) -> list[Polyhedron]:
    x = _obj(x, where, _PIECE_KEYS)
    label = x.get("label", "")
    if not isinstance(label, str):
        raise InstanceError(f"{where}.label: expected a string")
    if "point" in x or "points" in x:
        if set(x) - {"label", "point", "points", "comment"}:
            raise InstanceError(f"{where}: a point piece takes no constraints")
        pts = [x["point"]] if "point" in x else _list(x["points"], f"{where}.points")
        field = "point" if "point" in x else "points"
        return [
            Polyhedron.from_point(vector(p, coords, f"{where}.{field}", key), label or f"point {k}")
            for k, p in enumerate(pts)
        ]
    d = len(coords)
    ub, eq = [], []
    for kind, sign in (("lower", -1), ("upper", 1), ("fixed", 0)):
        for name, v in _obj(x.get(kind, {}), f"{where}.{kind}").items():
            j = _coord(name, coords, f"{where}.{kind}", key)
            val = number(v, f"{where}.{kind}.{name}")
            if sign == 0:
                eq.append(({j: Fraction(1)}, val))
            else:
                ub.append(({j: Fraction(sign)}, sign * val))
    for k, c in enumerate(_list(x.get("constraints", []), f"{where}.constraints", False)):
        w = f"{where}.constraints[{k}]"
        c = _obj(c, w, {"coef", "op", "rhs"})
        for f in ("coef", "op", "rhs"):
            if f not in c:
                raise InstanceError(f"{w}: missing field {f!r}")
        row = {j: a for j, a in enumerate(vector(c["coef"], coords, f"{w}.coef", key)) if a}
        rhs = number(c["rhs"], f"{w}.rhs")
        if c["op"] == "<=":
            ub.append((row, rhs))
        elif c["op"] == ">=":
            ub.append(({j: -a for j, a in row.items()}, -rhs))
        elif c["op"] == "==":
            eq.append((row, rhs))
        else:
            raise InstanceError(f"{w}.op: expected '<=', '>=' or '==', got {c['op']!r}")
    piece = Polyhedron(d, tuple(ub), tuple(eq), None, label)
    if piece.is_empty():
        raise InstanceError(f"{where}: empty polyhedron (no type satisfies its constraints)")
    return [piece]


def type_space(x, coords, where, key=None) -> tuple[Polyhedron, ...]:
    """Pieces of Θ_i from JSON; absent means the nonnegative orthant.

    >>> [p.label for p in type_space([{"label": "ray", "lower": {"x": 4}}, {"points": [[1]]}],
    ...                              ("x",), "type_space")]
    ['ray', 'point 0']
    """
    if x is None:
        return (nonnegative_orthant(len(coords)),)
    pieces = []
    for k, p in enumerate(_list(x, where)):
        pieces += _piece(p, coords, f"{where}[{k}]", key)
    return tuple(pieces)


def bundle_of(x, items: tuple[str, ...], where: str) -> frozenset:
    """The bundle named by ``x``: a list of items, ``"A+B"``, or ``"AB"`` for one-letter items
    (``where`` names the field in the error message).

    >>> sorted(bundle_of("A+B", ("A", "B", "C"), "bids")), sorted(bundle_of("CA", "ABC", "bids"))
    (['A', 'B'], ['A', 'C'])
    """
    if isinstance(x, list):
        parts = x
    elif isinstance(x, str):
        if "+" in x:
            parts = [s.strip() for s in x.split("+")]
        elif x in items:
            parts = [x]
        else:
            parts = list(x)  # "AB" when item names are single characters
    else:
        raise InstanceError(f"{where}: a bundle is a list of items or a string like 'A+B'")
    if not parts or any(not isinstance(p, str) or p not in items for p in parts):
        raise InstanceError(f"{where}: unknown item in bundle {x!r}")
    return frozenset(parts)


def bundle_name(bundle: frozenset, items: tuple[str, ...]) -> str:
    """Display name: items in order, joined by '' if all names are one character, else '+'.

    >>> bundle_name(frozenset({"B", "A"}), ("A", "B"))
    'AB'
    """
    sep = "" if all(len(i) == 1 for i in items) else "+"
    return sep.join(i for i in items if i in bundle)


def combinatorial_auction(items, bidders) -> Model:
    """Build Γ and the lifts from items and XOR bids.

    ``bidders`` = list of ``(name, bundles, bids, pieces)``: ``bundles`` a list of frozensets
    (the bidder's coordinates), ``bids`` the reported vector over them, ``pieces`` Θ_i in bundle
    coordinates. Γ lists every assignment giving each bidder nothing or one of its bundles,
    pairwise disjoint, in lexicographic order with "nothing" first (the tie-break priority).

    >>> A, B = frozenset("A"), frozenset("B")
    >>> m = combinatorial_auction(("A", "B"), [("1", [A, B], (Fraction(1), Fraction(0)), None)])
    >>> m.outcomes
    ('none', '1:A', '1:B')
    """
    items = tuple(items)
    assignments = [()]
    for _, bundles, _, _ in bidders:
        nxt = []
        for a in assignments:
            used = frozenset().union(*[b for b in a if b is not None])
            nxt.append((*a, None))
            nxt += [(*a, b) for b in bundles if not (b & used)]
        assignments = nxt
        if len(assignments) > MAX_OUTCOMES:
            raise InstanceError(f"items: more than {MAX_OUTCOMES} outcomes; use fewer bundles")
    names = tuple(
        ", ".join(
            f"{bidders[j][0]}:{bundle_name(b, items)}" for j, b in enumerate(a) if b is not None
        )
        or "none"
        for a in assignments
    )
    lifts = tuple(
        tuple({} if a[j] is None else {list(bundles).index(a[j]): Fraction(1)} for a in assignments)
        for j, (_, bundles, _, _) in enumerate(bidders)
    )
    coords = tuple(tuple(bundle_name(b, items) for b in bundles) for _, bundles, _, _ in bidders)
    spaces = tuple(
        pieces or (nonnegative_orthant(len(c)),)
        for (_, _, _, pieces), c in zip(bidders, coords, strict=True)
    )
    return Model(
        names,
        tuple(b[0] for b in bidders),
        coords,
        lifts,
        tuple(tuple(b[2]) for b in bidders),
        spaces,
        {"items": items},
    )


def parse_instance(data) -> Model:
    """Validate a decoded JSON/TOML instance and build the :class:`Model`.

    >>> parse_instance({"outcomes": ["x"], "agents": [{"report": [1]}]}).reports
    ((Fraction(1, 1),),)
    >>> parse_instance({"outcomes": ["x"], "agents": [{"report": ["one"]}]})
    Traceback (most recent call last):
    ...
    numerics.efficient.instance.InstanceError: agents[0].report[0]: not a number: 'one'
    """
    data = _obj(data, "instance", {"outcomes", "items", "agents", "comment", "description"})
    if ("outcomes" in data) == ("items" in data):
        raise InstanceError("instance: give exactly one of 'outcomes' or 'items'")
    agents = _list(data.get("agents"), "agents") if "agents" in data else None
    if agents is None:
        raise InstanceError("agents: missing field")
    names = []
    for k, a in enumerate(agents):
        a = _obj(a, f"agents[{k}]", _AGENT_KEYS)
        name = a.get("name", str(k + 1))
        if not isinstance(name, str) or not name:
            raise InstanceError(f"agents[{k}].name: expected a nonempty string")
        names.append(name)
    if len(set(names)) != len(names):
        raise InstanceError("agents: duplicate agent names")
    if "outcomes" in data:
        model = _explicit(_names(data["outcomes"], "outcomes"), agents, names)
    else:
        model = _auction(_names(data["items"], "items"), agents, names)
    for k, a in enumerate(agents):
        if not any(p.contains(model.reports[k]) for p in model.type_spaces[k]):
            field = "report" if "outcomes" in data else "bids"
            raise InstanceError(f"agents[{k}].{field}: the report is not in the type space")
        if "distribution" in a:
            model.meta.setdefault("distributions", {})[k] = a["distribution"]
    return model


def _explicit(outcomes, agents, names) -> Model:
    ident = tuple({j: Fraction(1)} for j in range(len(outcomes)))
    reports, spaces = [], []
    for k, a in enumerate(agents):
        if "report" not in a:
            raise InstanceError(f"agents[{k}].report: missing field")
        if "bids" in a or "bundles" in a:
            raise InstanceError(f"agents[{k}]: 'bids'/'bundles' need 'items', not 'outcomes'")
        reports.append(vector(a["report"], outcomes, f"agents[{k}].report"))
        spaces.append(type_space(a.get("type_space"), outcomes, f"agents[{k}].type_space"))
    return Model(
        outcomes,
        tuple(names),
        (outcomes,) * len(agents),
        (ident,) * len(agents),
        tuple(reports),
        tuple(spaces),
        {},
    )


def _auction(items, agents, names) -> Model:
    bidders = []
    for k, a in enumerate(agents):
        w = f"agents[{k}]"
        if "report" in a:
            raise InstanceError(f"{w}.report: auction agents report 'bids', not 'report'")
        if "bids" not in a:
            raise InstanceError(f"{w}.bids: missing field")
        bids = {
            bundle_of(b, items, f"{w}.bids"): v for b, v in _obj(a["bids"], f"{w}.bids").items()
        }
        if "bundles" in a:
            bundles = [
                bundle_of(b, items, f"{w}.bundles[{j}]")
                for j, b in enumerate(_list(a["bundles"], f"{w}.bundles"))
            ]
            if len(set(bundles)) != len(bundles):
                raise InstanceError(f"{w}.bundles: duplicate bundles")
        else:
            bundles = list(bids)
            if not bundles:
                raise InstanceError(f"{w}.bids: no bundles (give 'bundles' or a bid)")
        coords = tuple(bundle_name(b, items) for b in bundles)

        def key(name, items=items, w=w):
            try:
                return bundle_name(bundle_of(name, items, w), items)
            except InstanceError:
                return None

        report = [Fraction(0)] * len(bundles)
        for b, v in bids.items():
            if b not in bundles:
                raise InstanceError(f"{w}.bids: bundle {bundle_name(b, items)!r} not in bundles")
            report[bundles.index(b)] = number(v, f"{w}.bids.{bundle_name(b, items)}")
        pieces = type_space(a.get("type_space"), coords, f"{w}.type_space", key)
        bidders.append((names[k], bundles, tuple(report), pieces))
    return combinatorial_auction(items, bidders)


def load_instance(path) -> Model:
    """Read a ``.json`` or ``.toml`` instance file (errors name the field).

    >>> from pathlib import Path
    >>> ex = Path(__file__).parents[2] / "examples" / "efficient_seed002_section3.json"
    >>> load_instance(ex).agents
    ('1', '2', '3')
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InstanceError(f"{path.name}: not a UTF-8 text file ({exc.reason})") from None
    try:
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        kind = "TOML" if path.suffix == ".toml" else "JSON"  # anything else is read as JSON
        raise InstanceError(f"{path.name}: not valid {kind}: {exc}") from None
    except RecursionError:
        raise InstanceError(f"{path.name}: nested too deeply") from None
    return parse_instance(data)


def seed_section3() -> Model:
    """Seed 002 §3: items A, B; XOR bids v1(A) = 5, v2(B) = 3, v3(A) = 1;
    ``Θ_1 = {(a, 0, 0) : a ≥ 4} ∪ {(0, b, 0) : b ≥ 4}`` over (A, B, AB); others unrestricted.

    >>> seed_section3().outcomes[seed_section3().efficient()]
    '1:A, 2:B'
    """
    one, four = Fraction(1), Fraction(4)
    A, B, AB = frozenset("A"), frozenset("B"), frozenset("AB")
    ray_a = Polyhedron(
        3, (({0: -one}, -four),), (({1: one}, Fraction(0)), ({2: one}, Fraction(0))), None, "A >= 4"
    )
    ray_b = Polyhedron(
        3, (({1: -one}, -four),), (({0: one}, Fraction(0)), ({2: one}, Fraction(0))), None, "B >= 4"
    )
    return combinatorial_auction(
        ("A", "B"),
        [
            ("1", [A, B, AB], (Fraction(5), Fraction(0), Fraction(0)), (ray_a, ray_b)),
            ("2", [B], (Fraction(3),), None),
            ("3", [A], (Fraction(1),), None),
        ],
    )
