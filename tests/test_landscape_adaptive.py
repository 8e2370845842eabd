"""landscape --target-rel-ci: adaptive spectra per format (single-item and block inputs),
reported per row; the same numbers inline and on local processes; default unchanged."""

from __future__ import annotations

import math

import pytest

import latent
from latent.__main__ import main

KW = dict(samples=20_000, revenue_samples=2000, lp=None, bidders=3, max_grade=3)


def test_adaptive_rows_report_resolved_grades():
    res = latent.landscape("second_price,vcg", target_rel_ci=0.2, **KW)
    assert res.settings["target_rel_ci"] == 0.2
    for row in res.rows:
        s = row.spectrum
        assert s.method == "owen" and s.samples <= 20_000
        assert s.resolved == (1, 2, 3), (row.format.key, s.relative_half_widths())
        d = row.to_dict()
        assert d["resolved_grades"] == [1, 2, 3] and d["unresolved_grades"] == []
    sp = res.rows[0].spectrum  # second price, N = 3: someone always wins, Var = 1 − 1/N
    lo, hi = sp.variance_ci
    assert lo < 2 / 3 < hi
    frame = res.to_wide_frame()
    assert frame["unresolved_grades"].tolist() == ["", ""]
    assert "target ±0.2·W_r: all resolved" in str(res)


def test_budget_reached_is_reported():
    res = latent.landscape("second_price", target_rel_ci=0.01, **{**KW, "samples": 500})
    s = res.rows[0].spectrum
    assert s.unresolved and "unresolved" in str(res)
    assert res.to_wide_frame()["unresolved_grades"][0] == ",".join(map(str, s.unresolved))
    long = res.to_frame().set_index("quantity")
    assert long.loc[f"W_{s.unresolved[0]}", "detail"].startswith("unresolved grades")


def test_same_numbers_inline_and_local_with_block_inputs():
    kw = dict(target_rel_ci=0.2, **KW)
    a = latent.landscape("vcg", **kw)
    b = latent.landscape("vcg", executor="local", workers=2, **kw)
    sa, sb = a.rows[0].spectrum, b.rows[0].spectrum
    assert sa.energies == sb.energies and sa.energies_ci == sb.energies_ci
    assert all(math.isfinite(x) for x in sa.energies)


def test_default_is_unchanged():
    res = latent.landscape("second_price", samples=500, revenue_samples=2000, lp=None)
    assert "target_rel_ci" not in res.settings and res.rows[0].spectrum.method == "mc"
    assert "resolved_grades" not in res.rows[0].to_dict()
    assert "unresolved_grades" not in res.to_wide_frame().columns


@pytest.mark.parametrize("value", ["0", "2", "inf"])
def test_bad_target_is_one_line_exit_2(capsys, value):
    code = main(["landscape", "--formats", "second_price", "--target-rel-ci", value,
                 "--lp", "none", "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "--target-rel-ci" in err, err
