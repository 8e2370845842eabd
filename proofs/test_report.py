"""The command-line report: table, --json, --latex, and a non-zero exit on any failure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import mechanism_design_proof as mdp
from proofs import companion, reals, theorem
from proofs.evidence import CHECKERS, Evidence
from proofs.lemmas import Lemma, check_lemmas
from proofs.mechanism_theorems import MechanismResult
from proofs.report import latex_escape
from proofs.report import main as report_main

ROOT = Path(__file__).resolve().parents[1]


def _run(*args):
    return subprocess.run([sys.executable, str(ROOT / "mechanism_design_proof.py"), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


@pytest.fixture(scope="module")
def report_json(full_report):
    return json.loads(full_report.render("json"))


def test_the_script_reports_the_companion_theorems():
    assert mdp.THEOREMS is companion.THEOREMS
    assert mdp.main is not None and len(mdp.THEOREMS) == 16


def test_json_report_lists_sixteen_proved(report_json):
    theorems = report_json["theorems"]
    assert [t["name"] for t in theorems] == [t.name for t in mdp.THEOREMS]
    for t in theorems:
        assert t["status"] == "proved"
        assert t["checkers"]["z3"]["status"] == "unsat"
        assert t["checkers"]["cvc5"]["status"] == "unsat"
        assert t["vacuity_model"]
        assert t["mutants_refuted"] == t["mutants_total"] > 0
        assert isinstance(t["redundant_hypotheses"], list)
    added = {t["name"]: t["added_hypotheses"] for t in theorems if t["added_hypotheses"]}
    assert set(added) == {"latent_deficit_bounded", "latent_beats_vcg_deficit"}
    assert report_json["summary"] == "16/16 theorems proved by z3 and cvc5, 0 axioms"


def test_json_grounding_exact(report_json):
    g = {x["name"]: x for x in report_json["grounding"]}
    assert g["first_best_gains"]["value"] == "1/6"
    assert g["vcg_deficit"]["value"] == "1/6"
    assert g["second_best_gains_cs_k_half"]["value"] == "9/64"
    assert g["second_best_efficiency_ratio"]["value"] == "27/32"
    assert g["second_best_trade_probability"]["value"] == "9/32"
    assert all(x["holds"] for x in g.values())


def test_text_report_last_line(full_report):
    assert full_report.ok
    lines = full_report.render("text").strip().splitlines()
    assert "16/16 theorems proved by z3 and cvc5, 0 axioms" in lines
    assert "mechanism theorems proved and audited" in lines[-2]
    n_ok, n_all = lines[-2].split()[0].split("/")
    assert n_ok == n_all
    # ends with how many hold for every number of bidders: the seven kernel theorems and
    # lemmas for every n, and Myerson's reserve (symbolic n)
    assert lines[-2].endswith("8 of them for every number of bidders")
    assert "latent_deficit_bounded: added gap_positive" in "\n".join(lines)
    # the README quotes the report's summary lines as they are printed, and its last line's form
    readme = (ROOT / "README.md").read_text()
    assert f"`{lines[-2]}`" in readme
    assert "`16/16 theorems proved by z3 and cvc5, 0 axioms`" in readme
    assert lines[-1].startswith("checked in ") and "`checked in … s; z3 …, cvc5 …`" in readme


def test_latex_output(full_report):
    tex = full_report.render("latex")
    theorems, mechanisms = tex.split(r"\paragraph{Mechanism theorems.}")
    assert theorems.count(r"\item[") == 16
    assert mechanisms.count(r"\item[") == len(full_report.mechanisms)
    assert tex.count(r"\[") == tex.count(r"\]") and tex.count("{") == tex.count("}")


def test_the_command_line_end_to_end_on_one_theorem(tmp_path):
    """The script's own plumbing (arguments, the three formats, the exit status) on one
    theorem; the whole report's content is tested above on the same renderer
    (:meth:`proofs.report.ProofReport.render`)."""
    name = mdp.THEOREMS[0].name
    text = _run("--only", name)
    assert text.returncode == 0, text.stderr
    assert "1/1 theorems proved by z3 and cvc5, 0 axioms" in text.stdout
    assert text.stdout.strip().splitlines()[-1].startswith("checked in ")
    assert "mechanism theorems" not in text.stdout  # --only checks that theorem alone
    js = _run("--json", "--only", name, "--no-mechanisms")
    assert js.returncode == 0 and json.loads(js.stdout)["summary"].startswith("1/1 theorems")
    out = tmp_path / "theorems.tex"  # (in process: a third interpreter costs ~7 s)
    assert report_main(mdp.THEOREMS, ["--latex", str(out), "--only", name]) == 0
    assert out.read_text().count(r"\item[") == 1


def test_unknown_theorem_is_a_usage_error():
    proc = _run("--only", "no_such_theorem")
    assert proc.returncode == 2 and "unknown theorem" in proc.stderr


def test_failing_theorem_gives_nonzero_exit(capsys):
    x, = reals("x")
    false = theorem("false_lemma", {"x_pos": x > 0}, x > 1)
    assert report_main([*mdp.THEOREMS[:2], false], ["--no-mechanisms"]) == 1
    assert "2/3 theorems proved" in capsys.readouterr().out


def test_lemma_section_proves_in_order_and_fails_loudly(capsys):
    x, = reals("x")
    pos = Lemma(theorem("x_pos", {"x_pos": x > 0}, 2 * x > x))
    uses = Lemma(theorem("x_sq_pos", {"x_pos": x > 0}, x * x + x > x), by=("x_pos",))
    assert report_main(mdp.THEOREMS[:1], ["--no-mechanisms"],
                       lemmas_fn=lambda: check_lemmas((pos, uses))) == 0
    out = capsys.readouterr().out
    assert "x_sq_pos: proved · cites x_pos" in out and "2/2 lemmas proved and audited" in out
    bad = Lemma(theorem("x_big", {"x_pos": x > 0}, x > 2), by=("x_pos",))
    assert report_main(mdp.THEOREMS[:1], ["--no-mechanisms"],
                       lemmas_fn=lambda: check_lemmas((pos, bad))) == 1
    assert "x_big: NOT PROVED" in capsys.readouterr().out
    with pytest.raises(ValueError, match="cites \\['nowhere'\\]"):
        check_lemmas((Lemma(pos.theorem, by=("nowhere",)),))


def test_failing_mechanism_theorem_gives_nonzero_exit():
    def broken():
        return (MechanismResult(name="broken", reading="a claim that failed", source="test",
                                evidence=Evidence(checker="sympy", holds=False)),)

    assert report_main(mdp.THEOREMS[:1], [], mechanisms_fn=broken) == 1


def test_json_mechanism_section(report_json):
    mech = {m["name"]: m for m in report_json["mechanism_theorems"]}
    assert all(m["status"] == "proved" for m in mech.values())
    assert {"vickrey_truthful_n2", "vickrey_truthful_n3", "vickrey_truthful_n4"} <= set(mech)
    every_n = {n for n, m in mech.items() if m["bidders"] == "any"}
    assert {"vickrey_truthful_any_n", "threshold_truthful_any_n", "vcg_clarke_any_n",
            "other_max_invariant", "others_welfare_invariant"} <= every_n
    assert all(isinstance(m["bidders"], int) for n, m in mech.items() if n not in every_n)
    vick = mech["vickrey_truthful_any_n"]
    assert vick["logic"] == "UFLIRA"
    assert vick["lemmas"] == ["other_max_invariant", "threshold_truthful_any_n"]
    assert vick["dependency_tree"]["lemmas"][1]["lemmas"][0]["name"] == "threshold_core"
    assert mech["others_welfare_invariant"]["rule"] == "induction"
    assert mech["vcg_clarke_any_n"]["audit"]["must_fail"]["pivot_with_own_report"]["n"]
    families = {c["family"] for c in mech["threshold_truthful_any_n"]["audit"]["instances"]}
    assert families == {"reserve_second_price", "affine_maximizer", "lookahead",
                        "sequential_posted_price", "posted_price"}
    variants = {v["name"]: v for v in vick["audit"]["variants"]}
    assert int(variants["pays_lowest_other_bid"]["countermodel"]["n"]) >= 3
    assert all(v["outcome"] == v["expected"] for v in variants.values())
    verdicts = {n: m["evidence"]["verdict"] for n, m in mech.items() if "verdict" in m["evidence"]}
    assert "impossible" in verdicts.values() and "possible" in verdicts.values()
    # every result names the checker it trusts; the old "method" key is its label
    for name, m in mech.items():
        assert m["checker"]["holds"] is True
        assert CHECKERS[m["checker"]["checker"]][0] == m["method"], name
    assert {mech[f"vickrey_truthful_n{n}"]["checker"]["checker"] for n in (2, 3, 4)} == {"z3+cvc5"}
    by_kind = {n.split("[")[0]: m["checker"]["checker"] for n, m in mech.items()}
    assert by_kind["myerson_satterthwaite"] == "farkas"
    assert by_kind["vcg_deficit"] == "enumeration"
    assert by_kind["revenue_is_grade_le1"] == "sympy"


def test_latex_escape_blocks_injection():
    nasty = r"\input{/etc/passwd} \write18{rm} $x$ {"
    escaped = latex_escape(nasty)
    assert "\\input" not in escaped.replace(r"\textbackslash{}", "")
    assert "$" not in escaped.replace(r"\$", "")
