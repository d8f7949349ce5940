"""`por prove --policy margin` on Binance's sample (SPEC §1 "Margin policy", §3) and `por-verify proof` on the
margin round it writes: refusals name every line, exclusions are listed, public.json carries the policy and the
equity, debt and collateral totals, and any change to them fails verification."""
import json
import shutil
import subprocess
from fractions import Fraction

import numpy as np
import pytest

from circuits.margin.policy import collateral_bands, haircut_value
from prover.cli import main as por
from prover.exchange.margin_round import haircut_values
from prover.reserves.report import build_report, render_markdown
from circuits.tree_hash import digest_from_hex
from tests.paths import REPO, VECTORS
from tests.prover.exchange.test_cli_round import PROGRESS_LINE, run
from verifier.cli import main as por_verify
from verifier.errors import CheckFailed, InputError
from verifier.formats.amounts import format_amount
from verifier.formats.public import load_public
from verifier.reserves.csvfile import ReservesFile
from verifier.reserves.liabilities import verified_liabilities
from verifier.reserves.summary import summarize
from verifier.solvency.inclusion import verify_inclusion

USERS, ASSETS = VECTORS / "binance_sample_users.csv", VECTORS / "binance_cex_assets_info.csv"
needs_vectors = pytest.mark.skipif(not USERS.exists(), reason="shared vectors not found")
DEBT_LINES = range(2, 12)  # by Binance's own rules: debt beyond the haircut collateral
COLLATERAL_LINES = (2, 4, 6, 8, 10)  # collateral above equity


def prove_margin(tmp, *extra):
    return run(por, "prove", USERS, "--round", "2026-11", "--out", tmp / "round", "--preset", "test",
               "--secret-file", tmp / "secret", "--assets", ASSETS, "--policy", "margin", *extra)


@pytest.fixture(scope="module")
def margin_round(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("margin")
    result = prove_margin(tmp, "--exclude-refused")
    assert result.exit_code == 0, result.output
    assert "users      90 (128 leaves)" in result.stdout
    return tmp / "round"


@needs_vectors
def test_binance_sample_is_refused_naming_every_failing_line(tmp_path):
    result = prove_margin(tmp_path)
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if not PROGRESS_LINE.match(line)]
    assert lines[0].startswith("error: ") and "10 users fail the margin policy" in lines[0]
    assert len(lines) == 11
    for n in DEBT_LINES:
        line = next(line for line in lines if f"{USERS}:{n}: " in line)
        assert "exceeds the haircut collateral" in line
        assert ("collateral" in line.split("exceeds")[0]) == (n in COLLATERAL_LINES)
    assert sum("above equity" in line for line in lines) == len(COLLATERAL_LINES)
    assert not (tmp_path / "round").exists()


@needs_vectors
def test_exclude_refused_proves_the_rest_and_lists_what_it_left_out(margin_round):
    excluded = json.loads((margin_round / "excluded.json").read_text())
    assert [e["why"].split(":")[1] for e in excluded] == [str(n) for n in DEBT_LINES]
    public = json.loads((margin_round / "public.json").read_text())
    assert public["policy"]["name"] == "margin" and public["policy"]["scale"] == 16
    assert public["policy"]["kinds"] == ["loan", "margin", "portfolio"]
    assert public["policy"]["prices"]["btc"] == "6510022000000"
    assert public["policy"]["tiers"]["btc"]["loan"][0] == ["100000000000000000000", 100]
    assert public["policy"]["tiers"]["shib"]["loan"] == []
    assert set(public["assets"][0]) == {"symbol", "decimals", "equity", "debt", "collateral"}


@needs_vectors
def test_por_verify_checks_the_margin_round(margin_round):
    result = run(por_verify, "proof", margin_round, "--min-security", "0")
    assert result.exit_code == 0, result.output
    assert "margin/1:loan,margin,portfolio policy" in result.stdout
    assert "totals (equity, debt, collateral)" in result.stdout and "VALID" in result.stdout


def _forged(margin_round, tmp_path, change):
    copy = shutil.copytree(margin_round, tmp_path / "round")
    public = json.loads((copy / "public.json").read_text())
    change(public)
    (copy / "public.json").write_text(json.dumps(public))
    return run(por_verify, "proof", copy, "--min-security", "0")


@needs_vectors
@pytest.mark.parametrize("change", [
    lambda p: p["assets"][0].update(debt="152.26815552"),  # one base unit more
    lambda p: p["assets"][1]["collateral"].update(loan="0"),
    lambda p: p["assets"][2].update(equity="0"),
    lambda p: p["policy"]["prices"].update(btc="6510022000001"),
    lambda p: p["policy"]["tiers"]["btc"]["loan"][0].__setitem__(1, 99),
], ids=["debt+1", "collateral", "equity", "price+1", "tier ratio"])
def test_a_changed_margin_public_json_fails(margin_round, tmp_path, change):
    result = _forged(margin_round, tmp_path, change)
    assert result.exit_code in (1, 2) and "VALID" not in result.stdout, result.output
    assert "Traceback" not in result.output


@needs_vectors
def test_inclusion_proof_shows_equity_debt_and_collateral_and_verifies(margin_round, tmp_path):
    user = "0" * 63 + "c"  # line 14 of the sample (rn 12), which the policy accepts
    out = tmp_path / "proof.json"
    result = run(por, "inclusion", margin_round, "--user-id", user, "--out", out)
    assert result.exit_code == 0, result.output
    proof = json.loads(out.read_text())
    assert proof["policy"] == "margin/1:loan,margin,portfolio"
    row = next(r for r in USERS.read_text().splitlines() if r.startswith(f"12,{user},"))
    cells = row.split(",")
    assert proof["balances"]["btc"]["equity"] == cells[2].rstrip("0").rstrip(".")
    assert proof["balances"]["btc"]["debt"] == cells[3].rstrip("0").rstrip(".")
    assert set(proof["balances"]["btc"]["collateral"]) == {"loan", "margin", "portfolio"}
    verified = run(por_verify, "inclusion", out, "--public", margin_round / "public.json")
    assert verified.exit_code == 0 and "btc equity" in verified.stdout, verified.output

    proof["balances"]["btc"]["debt"] = "0"  # a user shown less debt than their leaf commits to
    proof["entries"][0]["balances"]["btc"]["debt"] = "0"
    out.write_text(json.dumps(proof))
    assert run(por_verify, "inclusion", out, "--public", margin_round / "public.json").exit_code == 1


@needs_vectors
def test_report_shows_net_liabilities_against_reserves_and_total_collateral(margin_round):
    """Liabilities of a margin round are equity minus debt (at least zero); the report's margin table shows equity,
    debt, net and collateral per asset."""
    liabilities = verified_liabilities(margin_round, min_security=0)  # the test preset
    public = json.loads((margin_round / "public.json").read_text())
    btc = next(a for a in public["assets"] if a["symbol"] == "btc")
    entry = liabilities.assets[0]
    assert entry.symbol == "BTC"
    equity, debt = Fraction(btc["equity"]), Fraction(btc["debt"])
    assert entry.total == equity - debt and entry.books[:2] == (equity, debt)
    assert entry.books[2] == sum(Fraction(v) for v in btc["collateral"].values())
    summary = summarize(ReservesFile("reserves.csv", (), ()), [], liabilities)
    report = build_report(summary)
    assert report["assets"][0]["equity"] == btc["equity"] and report["fully_backed"] is False  # no reserves given
    assert "| BTC | 46118.2655591 | 152.26815551 | 45965.99740359 |" in render_markdown(report)


OKX_V2 = VECTORS / "okx_v2_batch0.json"


@needs_vectors
def test_okx_v2_signed_amounts_prove_with_equity_pledged(tmp_path):
    """OKX v2's rule: net value (equity - debt) non-negative. Its signed amounts load as equity and debt, and
    --pledge-equity counts all equity as collateral of a kind whose tiers are 100% (here every token at 1 USD);
    one unit of debt more than a user's equity is refused naming the record's line."""
    records = json.loads(OKX_V2.read_text())
    assets = tmp_path / "assets.csv"
    assets.write_text("symbol,decimals,price,equity_tiers_ratio\n"
                      + "".join(f'{s},8,1,"[0-1000000000000:100]"\n' for s in records[0]["assets"]))
    result = run(por, "prove", OKX_V2, "--round", "2026-11", "--out", tmp_path / "round", "--preset", "test",
                 "--secret-file", tmp_path / "secret", "--assets", assets, "--policy", "margin",
                 "--pledge-equity", "equity")
    assert result.exit_code == 0, result.output
    public = json.loads((tmp_path / "round" / "public.json").read_text())
    eth = next(a for a in public["assets"] if a["symbol"] == "ETH")
    assert eth["collateral"] == {"equity": eth["equity"]} and eth["debt"] != "0"
    assert run(por_verify, "proof", tmp_path / "round", "--min-security", "0").exit_code == 0

    net = sum(int(a) for a in records[0]["assets"].values())
    records[0]["assets"]["ETH"] = str(int(records[0]["assets"]["ETH"]) - net - 1)
    users = tmp_path / "v2.json"
    users.write_text(json.dumps(records, indent=4))
    result = run(por, "prove", users, "--round", "2026-11", "--out", tmp_path / "round2", "--preset", "test",
                 "--secret-file", tmp_path / "secret", "--assets", assets, "--policy", "margin",
                 "--pledge-equity", "equity")
    assert result.exit_code == 2, result.output
    line = next(line for line in result.stderr.splitlines() if records[0]["id"] in line)
    assert line.startswith(f"  {users}: record 0: user") and line.endswith(
        "debt worth 13.1117973 USD exceeds the haircut collateral's 13.11179729 USD")  # one base unit short


def test_the_vectorized_haircut_is_the_circuits():
    """The prover's per-column haircut (which decides who is refused) equals the circuit's band arithmetic at
    every band edge and between."""
    price, tiers = 6_510_022_000_000, tuple(((t + 1) * 10**20, 100 - 10 * t) for t in range(10))
    bands = collateral_bands(0, price, tiers)
    amounts = sorted({x for b in bands for x in (b.lo, b.hi, max(b.lo - 1, 0), (b.lo + b.hi) // 2)}
                     | {0, 1, (1 << 62) - 1})
    got = haircut_values(price, tiers, np.array(amounts, dtype=np.uint64))
    assert list(got) == [haircut_value(price, tiers, x) for x in amounts]


@needs_vectors
@pytest.mark.parametrize("change, needle", [
    (lambda p: p["policy"].update(extra=1), "policy.extra"),
    (lambda p: p["policy"]["prices"].pop("btc"), "policy.prices"),
    (lambda p: p["policy"]["prices"].update(btc="0651"), "must be a canonical integer string"),
    (lambda p: p["policy"]["tiers"]["btc"]["loan"].append(["1", 5]), "band tops must increase"),
    (lambda p: p["policy"]["tiers"]["eth"]["loan"][2].__setitem__(1, 95), "concave"),  # 100, 90, 95
    (lambda p: p["policy"]["prices"].update(btc=str(1 << 56)), "2^56"),
    (lambda p: p["assets"][0]["collateral"].pop("loan"), "collateral"),
    (lambda p: p["assets"][0].update(total="1"), "total"),
    (lambda p: p["assets"][0].update(equity="0"), "equity below total collateral"),
    (lambda p: p.update(floored=[]), "does not apply to a margin round"),
    (lambda p: p.update(shards=[]), "must list a power of two of shards"),
], ids=["extra key", "price missing", "price not canonical", "tops decrease", "ratio increases", "price too large",
        "kind missing", "plain total", "equity below collateral", "floored", "no shards"])
def test_a_malformed_margin_public_json_is_refused_naming_the_field(margin_round, tmp_path, change, needle):
    result = _forged(margin_round, tmp_path, change)
    assert result.exit_code == 2 and needle in result.stderr and "Traceback" not in result.output, result.output


NODE_DRIVER = r"""
const fs = require('fs');
const I = require(process.argv[2] + '/inclusion.js');
const cases = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
process.stdout.write(JSON.stringify(cases.map(([proof, published]) => I.verifyInclusion(proof, published))));
"""


@needs_vectors
@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_offline_page_checks_a_margin_inclusion_proof_as_python_does(margin_round, tmp_path):
    user = "0" * 63 + "c"
    assert run(por, "inclusion", margin_round, "--user-id", user, "--out", tmp_path / "p.json").exit_code == 0
    proof = json.loads((tmp_path / "p.json").read_text())
    public_text = (margin_round / "public.json").read_text()
    root = json.loads(public_text)["root"]
    less_debt = json.loads(json.dumps(proof))
    less_debt["balances"]["btc"]["debt"] = less_debt["entries"][0]["balances"]["btc"]["debt"] = "0"
    over = json.loads(json.dumps(proof))
    over["entries"][0]["balances"]["eth"]["collateral"]["loan"] = "100000"
    cases = [(proof, root), (proof, public_text), (less_debt, root), (over, root)]
    (tmp_path / "driver.js").write_text(NODE_DRIVER)
    (tmp_path / "cases.json").write_text(json.dumps([[json.dumps(p), r] for p, r in cases]))
    done = subprocess.run([shutil.which("node"), str(tmp_path / "driver.js"), str(REPO / "verifier" / "page"),
                           str(tmp_path / "cases.json")], capture_output=True, text=True, timeout=60, check=True)
    verdicts = json.loads(done.stdout)
    assert [v["valid"] for v in verdicts] == [True, True, False, False], verdicts
    assert verdicts[0]["balances"][0]["amount"].startswith(f"equity {proof['balances']['btc']['equity']}, debt ")
    assert "collateral is above the equity" in verdicts[3]["reason"]
    for (p, published), verdict in zip(cases, verdicts):  # the Python verifier agrees case by case
        try:
            verify_inclusion(p, digest_from_hex(root), load_public(margin_round / "public.json")
                             if published.startswith("{") else None)
            python_valid = True
        except (CheckFailed, InputError):
            python_valid = False
        assert python_valid is verdict["valid"]


@pytest.fixture(scope="module")
def sharded_margin_round(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("margin-sharded")
    result = prove_margin(tmp, "--exclude-refused", "--shard-leaves", "32", "--allow-small-shards")
    assert result.exit_code == 0, result.output
    return tmp / "round"


def _move_debt(public):
    """One base unit of BTC debt moved from shard 0's totals to shard 1's: the round's totals still add up."""
    first, second = (public["shards"][k]["totals"]["btc"] for k in (0, 1))
    units = [int(round(float(s["debt"]) * 10**8)) for s in (first, second)]
    assert units[0] > 0
    first["debt"], second["debt"] = (format_amount(units[0] - 1, 8), format_amount(units[1] + 1, 8))


@needs_vectors
def test_a_sharded_margin_round_verifies_and_binds_each_shard(sharded_margin_round, tmp_path):
    """128 leaves in 4 shards of 32: each shard proves its leaves solvent and its own totals; the verifier adds
    the shards' equity, debt and collateral up to the round's and hashes their roots up to the tree root."""
    public = json.loads((sharded_margin_round / "public.json").read_text())
    assert len(public["shards"]) == 4 and set(public["shards"][0]["totals"]["btc"]) == {"equity", "debt",
                                                                                          "collateral"}
    assert sorted(p.name for p in (sharded_margin_round / "proofs").iterdir()) == [
        f"shard-{i:04d}.bin" for i in range(4)]
    result = run(por_verify, "proof", sharded_margin_round, "--min-security", "0")
    assert result.exit_code == 0 and "4 shards of 32 leaves" in result.stdout, result.output
    moved = _forged(sharded_margin_round, tmp_path, _move_debt)
    assert moved.exit_code == 1 and "shard-0000.bin does not prove shard 0" in moved.stderr, moved.output
    copy = tmp_path / "swapped"
    shutil.copytree(sharded_margin_round, copy)
    a, b = copy / "proofs" / "shard-0001.bin", copy / "proofs" / "shard-0002.bin"
    a_bytes = a.read_bytes()
    a.write_bytes(b.read_bytes())
    b.write_bytes(a_bytes)
    assert run(por_verify, "proof", copy, "--min-security", "0").exit_code == 1
    user = "0" * 63 + "c"
    out = tmp_path / "proof.json"
    assert run(por, "inclusion", sharded_margin_round, "--user-id", user, "--out", out).exit_code == 0
    assert run(por_verify, "inclusion", out, "--public", sharded_margin_round / "public.json").exit_code == 0
