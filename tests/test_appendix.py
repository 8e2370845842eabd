"""The quick appendix: compiles, lists 16 proved theorems, matches its oracles, is deterministic,
escapes user text, and fails loudly when a theorem fails."""

from __future__ import annotations

import json
import os
import shutil
from fractions import Fraction
from pathlib import Path

import pytest

import latent
from latent.paper import AppendixResult, Context, Section, build_appendix
from latent.paper.latex import latex_escape
from latent.paper.sections import SECTIONS

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
needs_tex = pytest.mark.skipif(shutil.which("pdflatex") is None and os.environ.get("CI") != "true",
                               reason="pdflatex not installed (CI installs TeX Live)")


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("appendix")
    data = SHARED_DATA if SHARED_DATA.is_dir() else None  # section 6 runs when data is there
    # Through the public API (latent.appendix -> latent.paper.build_appendix).
    return latent.appendix(out, quick=True, seed=7, data_dir=data,
                           no_pdf=shutil.which("pdflatex") is None)


def test_api_result_types(quick):
    assert isinstance(quick, AppendixResult)
    d = quick.to_dict()
    assert d["ok"] == quick.ok and len(d["sections"]) == len(quick.sections)
    json.dumps(d)
    frame = quick.to_frame()
    assert list(frame.columns) == ["section", "ok", "problems", "files"]
    assert len(frame) == len(quick.sections)
    text = str(quick)
    assert text.splitlines()[0].startswith(quick.sections[0].title) and "appendix.tex" in text


def test_api_bad_arguments(tmp_path):
    f = tmp_path / "file.txt"
    f.write_text("x")
    with pytest.raises(ValueError, match="^out="):
        latent.appendix(f)
    with pytest.raises(ValueError, match="^data_dir="):
        latent.appendix(tmp_path / "o", data_dir=tmp_path / "missing")
    with pytest.raises(ValueError, match="^seed="):
        latent.appendix(tmp_path / "o", seed=-1)
    with pytest.raises(TypeError, match="quick_mode"):
        latent.appendix(tmp_path / "o", quick_mode=True)


@needs_tex
def test_quick_appendix_compiles(quick):
    assert quick.pdf is not None and quick.pdf.stat().st_size > 10_000
    assert quick.ok, [s.problems for s in quick.sections]


def test_theorem_table_lists_sixteen_proved(quick):
    data = json.loads((quick.out / "data" / "theorems.json").read_text())
    assert len(data["theorems"]) == 16
    assert all(t["status"] == "proved" for t in data["theorems"])
    tex = (quick.out / "appendix.tex").read_text()
    assert "16/16 theorems proved by z3 and cvc5, 0 axioms" in tex


def test_cells_with_oracles_match(quick):
    data = json.loads((quick.out / "data" / "theorems.json").read_text())
    grounding = {g["name"]: g["value"] for g in data["grounding"]}
    assert grounding["second_best_efficiency_ratio"] == "27/32"
    assert grounding["vcg_deficit"] == "1/6"
    seed002 = json.loads((quick.out / "data" / "seed002_section3.json").read_text())
    pays = seed002[0]["payments"]
    assert [Fraction(pays[k]) for k in ("vcg", "weakest_type", "optimal")] == [1, 2, 4]
    s4 = json.loads((quick.out / "data" / "seed004.json").read_text())
    exp_exact = s4["exact"]["exponential_myerson"]
    for setting, exact in (("uniform", 0.6125), ("exponential", exp_exact)):
        lo, hi = s4[setting]["myerson"]["revenue"]["ci"]
        assert lo - (hi - lo) <= exact <= hi + (hi - lo)
    yao = json.loads((quick.out / "data" / "yao.json").read_text())["yao"][0]
    assert (Fraction(yao["bic"]), Fraction(yao["dsic"])) == (Fraction(51, 16), Fraction(25, 8))
    frontier = json.loads((quick.out / "data" / "frontier.json").read_text())["exact"][0]
    assert frontier["ends_at_optimum"] is True
    land = json.loads((quick.out / "data" / "landscape.json").read_text())["landscape"]
    posted = next(r for r in land["rows"] if r["format"].startswith("posted")
                  and r["rho_structural"])
    assert posted["rho"] == "inf"  # unlimited-supply posted prices: grade 1 exactly
    for section in quick.sections:
        assert section.ok, section.problems


def test_manifest_records_versions_and_seed(quick):
    m = json.loads((quick.out / "manifest.json").read_text())
    assert m["seed"] == 7 and m["quick"] is True
    assert {"z3-solver", "cvc5", "numpy", "sympy"} <= set(m["versions"])
    assert len(m["sections"]) == len(SECTIONS)


def test_real_data_section(quick, shared_data):
    data = json.loads((quick.out / "data" / "realdata.json").read_text())
    assert {"ebay_auction.csv", "worldbank_procurement_bids.csv",
            "swiss_trq_share_auction_bids.csv"} <= set(data)
    tex = (quick.out / "appendix.tex").read_text()
    assert "filtered out by item=Xbox game console" in tex  # what was dropped is reported


def test_same_seed_same_appendix(quick, tmp_path):
    again = build_appendix(tmp_path, quick=True, seed=7, data_dir=quick_data_dir(quick),
                           compile=False)
    for rel in ["appendix.tex"] + sorted(
            str(p.relative_to(quick.out)) for p in (quick.out / "data").rglob("*")):
        assert (quick.out / rel).read_bytes() == (again.out / rel).read_bytes(), rel


def quick_data_dir(result):
    return SHARED_DATA if (result.out / "data" / "realdata.json").exists() else None


def test_injection_in_user_text_is_escaped(tmp_path):
    evil = r"ebay}\input{/etc/passwd}\write18{rm -rf /}$x$#%&_~^"

    def section(ctx: Context) -> Section:
        return Section(evil, latex_escape(evil))

    r = build_appendix(tmp_path, sections=(section,), compile=shutil.which("pdflatex") is not None)
    tex = (tmp_path / "appendix.tex").read_text()
    body = tex.replace(r"\textbackslash{}", "")
    assert r"\input{/etc" not in body and r"\write18" not in body
    assert tex.count("{") - tex.count(r"\{") == tex.count("}") - tex.count(r"\}")
    if r.pdf is not None:
        assert r.pdf.exists()


def test_failing_theorem_makes_the_command_fail(monkeypatch, tmp_path, capsys):
    from latent.__main__ import main
    from latent.paper.sections import theorems
    from proofs import companion, reals, theorem

    x, = reals("x")
    monkeypatch.setattr(companion, "THEOREMS", (*companion.THEOREMS[:1],
                                           theorem("false_lemma", {"x_pos": x > 0}, x > 1)))
    monkeypatch.setattr("latent.paper.sections.SECTIONS", (theorems.theorems_section,))
    code = main(["appendix", "--out", str(tmp_path), "--quick", "--no-pdf", "--quiet"])
    assert code == 1
    assert "FAILED" in capsys.readouterr().out


def test_bad_out_and_data_dir_are_usage_errors(tmp_path, capsys):
    from latent.__main__ import main

    f = tmp_path / "file.txt"
    f.write_text("x")
    assert main(["appendix", "--out", str(f), "--quick", "--no-pdf"]) == 2
    assert main(["appendix", "--out", str(tmp_path / "o"), "--data-dir",
                 str(tmp_path / "missing"), "--quick", "--no-pdf"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("error:") for line in err)
