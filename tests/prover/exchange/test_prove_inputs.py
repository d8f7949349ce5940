"""`por prove` with the exchange's real inputs (SPEC §3): the asset list's decimals reach public.json exactly, a
finer amount is refused or, with --floor-amounts, floored and recorded, and the layout option is honoured."""
import json

from click.testing import CliRunner

from prover.cli import main as por
from verifier.cli import main as por_verify

ASSETS = "symbol,decimals\nETH,12\nUSDT,6\n"


def run(tmp_path, users_name: str, users_text: str, *extra: str):
    (tmp_path / "assets.csv").write_text(ASSETS)
    (tmp_path / users_name).write_text(users_text)
    return CliRunner().invoke(por, ["prove", str(tmp_path / users_name), "--assets", str(tmp_path / "assets.csv"),
                                    "--round", "2026-11", "--out", str(tmp_path / "round"), "--preset", "test",
                                    "--secret-file", str(tmp_path / "secret"), *extra])


def public(tmp_path) -> dict:
    return json.loads((tmp_path / "round" / "public.json").read_text())


def test_json_base_units_are_read_at_the_asset_lists_decimals(tmp_path):
    users = '[{"id": "a", "assets": {"ETH": "1000000000000", "USDT": "1000000"}}, {"id": "b", "assets": {"ETH": "5"}}]'
    result = run(tmp_path, "users.json", users)
    assert result.exit_code == 0, result.output
    assert public(tmp_path)["assets"] == [{"symbol": "ETH", "decimals": 12, "total": "1.000000000005"},
                                          {"symbol": "USDT", "decimals": 6, "total": "1"}]
    assert "floored" not in public(tmp_path)


def test_finer_precision_is_refused_naming_file_line_and_asset_and_nothing_is_written(tmp_path):
    result = run(tmp_path, "users.csv", "id,ETH,USDT\na,1.0000000000001,1\n")
    assert result.exit_code == 2 and "users.csv:2" in result.output and "ETH" in result.output
    assert not (tmp_path / "round").exists()


def test_floored_amounts_are_recorded_in_public_json_and_the_round_verifies(tmp_path):
    result = run(tmp_path, "users.csv", "id,ETH,USDT\na,1.0000000000001,1\nb,2,0.0000019\n", "--floor-amounts")
    assert result.exit_code == 0, result.output
    assert public(tmp_path)["floored"] == [{"symbol": "ETH", "amounts": 1, "dropped": "0.0000000000001"},
                                           {"symbol": "USDT", "amounts": 1, "dropped": "0.0000009"}]
    assert [a["total"] for a in public(tmp_path)["assets"]] == ["3", "1.000001"]
    verified = CliRunner().invoke(por_verify, ["proof", str(tmp_path / "round"), "--min-security", "0"])
    assert verified.exit_code == 0, verified.output


def test_a_forced_layout_that_does_not_fit_is_refused(tmp_path):
    result = run(tmp_path, "users.csv", "id,ETH,USDT\na,1,1\n", "--format", "binance")
    assert result.exit_code == 2 and "users.csv" in result.output


def test_min_leaves_pads_the_tree_and_every_user_still_verifies(tmp_path):
    """SPEC §1: the tree may be padded beyond the next power of two, so N bounds the user count loosely."""
    result = run(tmp_path, "users.csv", "id,ETH,USDT\na,1,1\nb,2,0\nc,0,3\n", "--min-leaves", "100")
    assert result.exit_code == 0, result.output
    assert public(tmp_path)["leaves"] == 128
    assert [a["total"] for a in public(tmp_path)["assets"]] == ["3", "4"]
    assert CliRunner().invoke(por_verify, ["proof", str(tmp_path / "round"), "--min-security", "0"]).exit_code == 0
    for user in "abc":
        out = tmp_path / f"{user}.json"
        assert CliRunner().invoke(por, ["inclusion", str(tmp_path / "round"), "--user-id", user, "--out",
                                        str(out)]).exit_code == 0
        checked = CliRunner().invoke(por_verify, ["inclusion", str(out), "--public",
                                                  str(tmp_path / "round" / "public.json")])
        assert checked.exit_code == 0 and "of 128)" in checked.output, checked.output


def test_min_leaves_beyond_what_a_round_holds_is_refused(tmp_path):
    result = run(tmp_path, "users.csv", "id,ETH,USDT\na,1,1\n", "--min-leaves", str(2**31 + 1))
    assert result.exit_code == 2 and "exceed" in result.output
    assert not (tmp_path / "round").exists()
