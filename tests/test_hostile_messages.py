"""The unclear messages the hostile-input pass found, each now one line naming the problem
(exit 2), checked before any work: run in-process through the command lines' own entry
points."""

from __future__ import annotations

import pytest

from latent.__main__ import main
from latent.cli.estimate_rho import run_cli


@pytest.fixture
def files(tmp_path):
    rows = [f"{k},{1 + (k * 7) % 13 / 13:.4f},{1 + (k * 5) % 11 / 11:.4f}" for k in range(60)]
    paths = {
        "good": "auction_id,bidder_1,bidder_2\n" + "\n".join(rows) + "\n",
        "negative": "auction_id,b1,b2\n" + "\n".join(
            f"{k},-{1 + k % 7 / 7:.3f},-{2 + k % 5 / 5:.3f}" for k in range(60)) + "\n",
        "blank": "auction_id,,\n" + "\n".join(rows) + "\n",
    }
    out = {}
    for name, text in paths.items():
        out[name] = tmp_path / f"{name}.csv"
        out[name].write_text(text)
    return out


@pytest.mark.parametrize(("argv", "expected"), [
    (["good", "--where", "nosuch=1"], "error: --where 'nosuch' is not a column (columns: "),
    (["negative"], "error: no usable bid: every numeric bid was dropped (120 negative bid)"),
    (["blank"], "error: blank column names in the header (columns 2, 3)"),
    (["good", "--plot", "PLOT.xyz"], "error: --plot PLOT.xyz: unknown image format 'xyz'"),
])
def test_estimate_rho_says_what_is_wrong(files, tmp_path, capsys, argv, expected):
    argv = [str(files.get(a, a)).replace("PLOT", str(tmp_path / "p")) for a in argv]
    assert run_cli([*argv, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(expected.replace("PLOT", str(tmp_path / "p"))), err
    assert err.count("\n") == 1
    assert not (tmp_path / "p.xyz").exists()


@pytest.mark.parametrize("out", ["", "   "])
def test_appendix_refuses_an_empty_output_path(tmp_path, capsys, monkeypatch, out):
    monkeypatch.chdir(tmp_path)
    assert main(["appendix", "--out", out, "--quick", "--no-pdf", "--quiet"]) == 2
    assert capsys.readouterr().err.startswith("error: --out")
    assert not list(tmp_path.iterdir())  # nothing written into the current folder


def test_values_whose_squares_overflow_are_refused(capsys):
    assert main(["simulate", "--mechanism", "second_price", "--values", "uniform:0:1e308",
                 "--bidders", "3", "--samples", "1000", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --values 'uniform:0:1e308': values up to about 1e+308")
    assert err.count("\n") == 1
