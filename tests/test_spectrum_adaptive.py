"""``latent.spectrum(target_rel_ci=…)`` / ``spectrum --target-rel-ci``: adaptive budgets.

The statistical side (the target is met for the grades called resolved, and the intervals cover
the closed forms over 100 seeds after sequential stopping) is tested on the library function in
``tests/test_anova_owen.py``; here: the wiring — the budget flags, the reports (text, JSON,
frame), executors, and bad input.
"""

from __future__ import annotations

import json

import pytest

import latent
from latent.__main__ import main
from latent.anova.testfunctions import default_g_coefficients, sobol_g_energies

G = "latent.anova.testfunctions:sobol_g"


def test_resolves_every_grade_and_says_so():
    s = latent.spectrum(G, inputs=6, target_rel_ci=0.1, max_grade=3, samples=100_000, seed=1)
    assert s.method == "owen" and s.target_rel_ci == 0.1
    assert s.resolved == (1, 2, 3) and s.unresolved == ()
    rel = s.relative_half_widths()
    assert all(rel[r] <= 0.1 for r in (1, 2, 3))
    frame = s.to_frame()
    assert frame["resolved"].tolist() == [None, True, True, True]
    assert (frame["rel_half_width"][1:] <= 0.1).all()
    assert "resolved grades [1, 2, 3], unresolved none" in str(s)
    truth = sobol_g_energies(default_g_coefficients(6))
    assert all(abs(s.energies[r] - truth[r]) <= 0.3 * truth[r] for r in (1, 2, 3))


def test_samples_is_the_budget_and_unresolved_grades_are_reported():
    s = latent.spectrum(G, inputs=6, target_rel_ci=0.01, max_grade=4, samples=2_000, seed=1)
    assert s.samples <= 2_000 and 4 in s.unresolved
    assert "unresolved" in str(s) and "budget" in s.notes[-1]
    capped = latent.spectrum(G, inputs=6, target_rel_ci=0.01, max_grade=4, samples=10**6,
                             max_work=2e6, seed=1)
    assert capped.evaluations * 6 <= 2e6  # evaluations × N input values


def test_cli_json_and_text(capsys):
    argv = ["spectrum", "--function", G, "--inputs", "5", "--target-rel-ci", "0.2",
            "--max-grade", "3", "--samples", "50000", "--seed", "3", "--quiet"]
    assert main([*argv, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["target_rel_ci"] == 0.2 and out["resolved_grades"] == [1, 2, 3]
    assert out["unresolved_grades"] == [] and len(out["relative_half_widths"]) == 4
    assert main(argv) == 0
    assert "target: CI half width ≤ 0.2·W_r — resolved grades [1, 2, 3]" in \
        capsys.readouterr().out


def test_same_seed_same_numbers_inline_and_local():
    kw = dict(mechanism="second_price", bidders=4, target_rel_ci=0.1, max_grade=3,
              samples=40_000, seed=5)
    inline = latent.spectrum(**kw)
    local = latent.spectrum(**kw, executor="local", workers=2)
    assert inline.energies == local.energies and inline.energies_ci == local.energies_ci
    assert inline.resolved == local.resolved and inline.names == ("bidder_1", "bidder_2",
                                                                  "bidder_3", "bidder_4")
    # it stopped before the budget: on the 2 workers the next chunk was already queued (run
    # back to back) and was cancelled, not used
    assert inline.resolved == (1, 2, 3) and local.notes[-1].startswith("adaptive: 2 chunks")


def test_default_run_is_unchanged_without_the_flag():
    a = latent.spectrum(G, inputs=4, samples=2_000, seed=2)
    assert a.method == "mc" and a.target_rel_ci is None and a.resolved is None
    assert "resolved" not in a.to_frame().columns and "target_rel_ci" not in a.to_dict()


@pytest.mark.parametrize("argv, flag", [
    (["--target-rel-ci", "0"], "--target-rel-ci"),
    (["--target-rel-ci", "1.5"], "--target-rel-ci"),
    (["--target-rel-ci", "0.1", "--max-grade", "0"], "--max-grade"),
    (["--target-rel-ci", "0.1", "--method", "grid"], "--target-rel-ci"),
    (["--target-rel-ci", "0.1", "--samples", "10"], "--samples"),
    (["--target-rel-ci", "0.1", "--max-work", "100"], "--max-work"),
    (["--executor", "local"], "--executor"),
])
def test_bad_input_is_one_line_exit_2(capsys, argv, flag):
    code = main(["spectrum", "--function", G, "--inputs", "4", "--quiet", *argv])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and flag in err, err


def test_api_errors_name_the_argument():
    with pytest.raises(ValueError, match="target_rel_ci"):
        latent.spectrum(G, inputs=4, target_rel_ci=True)
    with pytest.raises(ValueError, match="max_grade"):
        latent.spectrum(G, inputs=4, target_rel_ci=0.1, max_grade=1.5)
    with pytest.raises(ValueError, match="executor"):
        latent.spectrum(G, inputs=4, target_rel_ci=0.1, executor="cloud")
