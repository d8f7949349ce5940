"""The margin policy with the plain round's --min-leaves and bulk inclusion export (issue 23): a margin round padded
beyond the next power of two verifies, `por inclusion --all` gives every user it proved a file that verifies and
sums their split leaves to their equity, debt and collateral (the users it refused are in excluded.json, so none is
dropped silently), and on equity-only users the two policies lay out the same tree and the same export."""
import csv
import json

import numpy as np
import pytest

from prover.cli import main as por
from prover.exchange.inclusion import export_inclusion
from prover.exchange.inclusion_store import read_round
from prover.exchange.inputs import read_asset_list, read_users
from prover.exchange.inputs.margin_assets import read_margin_policy
from prover.exchange.margin_round import margin_slots, solvent
from tests.paths import VECTORS
from tests.prover.exchange.test_cli_round import one_line_error, run
from verifier.cli import main as por_verify
from verifier.formats.inclusion import inclusion_json
from verifier.formats.public import load_public
from verifier.formats.strict_json import read_json_file
from verifier.solvency.inclusion import verify_inclusion

USERS, ASSETS = VECTORS / "binance_sample_users.csv", VECTORS / "binance_cex_assets_info.csv"
needs_vectors = pytest.mark.skipif(not USERS.exists(), reason="shared vectors not found")
ACCEPTED = 90  # of the sample's 100 users; lines 2-11 owe more than their haircut collateral covers


def prove(tmp, users, assets, *extra):
    result = run(por, "prove", users, "--round", "2026-11", "--out", tmp / "round", "--preset", "test",
                 "--secret-file", tmp / "secret", "--assets", assets, *extra)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def margin_round(tmp_path_factory):
    """Binance's sample, split over 1-3 leaves a user (at most 270 leaves), padded to --min-leaves 300: 512 leaves
    in 4 shards of 128."""
    tmp = tmp_path_factory.mktemp("margin-export")
    result = prove(tmp, USERS, ASSETS, "--policy", "margin", "--exclude-refused", "--split", "3",
                   "--min-leaves", "300", "--shard-leaves", "128", "--allow-small-shards")
    assert f"users      {ACCEPTED} (512 leaves)" in result.stdout
    assert "keep inclusion.sqlite and excluded.json private" in result.stdout
    return tmp / "round"


@pytest.fixture(scope="module")
def exported(margin_round, tmp_path_factory):
    folder = tmp_path_factory.mktemp("margin-export-all") / "proofs"
    result = run(por, "inclusion", margin_round, "--all", "--out", folder)
    assert result.exit_code == 0 and f"wrote {ACCEPTED} inclusion proofs" in result.stderr, result.output
    with open(folder / "index.csv", encoding="utf-8", newline="") as stream:
        return folder, dict(list(csv.reader(stream))[1:])


@needs_vectors
def test_a_margin_round_with_min_leaves_pads_and_verifies(margin_round):
    public = json.loads((margin_round / "public.json").read_text())
    stored = read_round(margin_round / "inclusion.sqlite")
    users_leaves = sum(len(entries) for entries in stored.entries)
    assert public["leaves"] == 512 and users_leaves <= 256  # unpadded, the tree would have had 256 leaves or fewer
    assert len(public["shards"]) == 4
    verified = run(por_verify, "proof", margin_round, "--min-security", "0")
    assert verified.exit_code == 0 and "VALID" in verified.stdout, verified.output


@needs_vectors
def test_bulk_export_gives_every_margin_user_a_proof_summing_their_split_leaves(margin_round, exported):
    folder, index = exported
    table = read_users(USERS, assets=read_asset_list(ASSETS), margin=True)
    policy = read_margin_policy(ASSETS, list(table.assets))
    slots, refused = margin_slots(table, policy, str(USERS))
    excluded = {e["user_id"] for e in json.loads((margin_round / "excluded.json").read_text())}
    assert len(index) == ACCEPTED and set(index) | excluded == set(table.ids) and not set(index) & excluded
    assert excluded == {table.ids[i] for i, _ in refused}
    whole = {table.ids[i]: tuple(int(x) for x in slots[i]) for i in range(len(table.ids))}
    public = load_public(margin_round / "public.json")
    split = 0
    for user_id, path in index.items():
        document = read_json_file(folder / path)
        checked = verify_inclusion(document, public.root, public)
        assert checked.user_id == user_id and checked.balances == whole[user_id]
        leaves = np.array([e.balances for e in checked.entries], dtype=np.uint64)
        assert (leaves.astype(object).sum(axis=0) == np.array(whole[user_id], dtype=object)).all()
        assert solvent(leaves, policy).all()
        assert (folder / path).read_text(encoding="utf-8") == inclusion_json(export_inclusion(margin_round, user_id))
        split += len(checked.entries) > 1
    assert split > ACCEPTED // 2  # most users' proofs carry two or three leaves


@needs_vectors
def test_a_bulk_exported_margin_proof_verifies_on_the_command_line(margin_round, exported):
    folder, index = exported
    path = folder / index["0" * 63 + "c"]
    result = run(por_verify, "inclusion", path, "--public", margin_round / "public.json")
    assert result.exit_code == 0 and "btc equity" in result.stdout and "of 512)" in result.stdout, result.output


@needs_vectors
def test_exporting_a_user_the_margin_policy_left_out_says_why(margin_round):
    result = run(por, "inclusion", margin_round, "--user-id", "0" * 64)
    one_line_error(result, 2, f"user '{'0' * 64}' is not in round '2026-11': the margin policy left them out "
                              f"(excluded.json: {USERS}:2: user", "exceeds the haircut collateral")
    one_line_error(run(por, "inclusion", margin_round, "--user-id", "nobody"), 2, "'nobody' is not in round")


EQUITY_USERS = "id,BTC,ETH\n" + "".join(f"u{k},{k}.125,{k % 4}\n" for k in range(20))
EQUITY_ASSETS = 'symbol,decimals,price,loan_tiers_ratio\nBTC,8,65000,"[0-10000:100]"\nETH,8,3000,""\n'


def test_min_leaves_split_and_export_lay_out_a_margin_round_as_a_plain_one(tmp_path, monkeypatch):
    """Equity-only users, the same seed, --min-leaves 40 and --split 2: both policies put every user's leaves at the
    same indices of a 64-leaf tree, and export the same files by the same names; margin equity is the plain
    balance."""
    monkeypatch.setenv("POR_TEST_SEED", "margin-export-parity")
    (tmp_path / "users.csv").write_text(EQUITY_USERS)
    (tmp_path / "assets.csv").write_text(EQUITY_ASSETS)
    folders = {}
    for policy in ("plain", "margin"):
        out = tmp_path / policy
        out.mkdir()
        prove(out, tmp_path / "users.csv", tmp_path / "assets.csv", "--policy", policy, "--min-leaves", "40",
              "--split", "2")
        assert json.loads((out / "round/public.json").read_text())["leaves"] == 64
        assert run(por, "inclusion", out / "round", "--all", "--out", out / "proofs").exit_code == 0
        folders[policy] = out
    indexes = [(folders[p] / "proofs/index.csv").read_text() for p in ("plain", "margin")]
    assert indexes[0] == indexes[1] and indexes[0].count("\n") == 21
    for user_id in (f"u{k}" for k in range(20)):
        plain, margin = (export_inclusion(folders[p] / "round", user_id) for p in ("plain", "margin"))
        assert [e["index"] for e in plain["entries"]] == [e["index"] for e in margin["entries"]]
        assert {s: b["equity"] for s, b in margin["balances"].items()} == plain["balances"]
        assert all(b["debt"] == "0" and set(b["collateral"].values()) == {"0"} for b in margin["balances"].values())
