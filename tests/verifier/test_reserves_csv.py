"""Reading OKX's reserves layout. Samples: okx/proof-of-reserves @ 2962a895, example/okx_por_example.csv and
example/okx_por_staking_example.csv (copied to shared/vectors)."""
from fractions import Fraction

import pytest
from paths import VECTORS

from verifier.reserves.check import check_reserves
from verifier.reserves.csvfile import parse_reserves, read_reserves
from verifier.reserves.errors import ReservesInputError
from verifier.reserves.summary import summary_json

HEADER = "coin,Network,Snapshot Height,address,amount,message,signature1,signature2,redeem script/ public key, eoa1, eoa2"


def test_okx_sample_parses_totals_and_rows():
    reserves = read_reserves(str(VECTORS / "okx_por_example.csv"))
    assert [(t.coin, t.amount) for t in reserves.totals][:4] == [
        ("ETH(ALL)", 6), ("USDT(ALL)", 5569), ("USDT-TRC20", Fraction("5436.9044")), ("ETH", Fraction("5.2834"))]
    assert [r.line for r in reserves.rows] == [16, 17, 18, 19, 20]
    contract = reserves.rows[2]
    assert contract.owners == ("0x0cdcdb19a857c2ac24818ca4fdfe38cce071483e", "0x16f01cfc16b0b8c3400fb8e5099b0974fcc9fc12")
    assert len(contract.signatures) == 2
    assert reserves.rows[0].signatures[0].startswith("0x07f1") and reserves.rows[0].script == ""


def test_okx_sample_evm_rows_verify_and_ed25519_rows_are_unverified():
    result = summary_json(check_reserves(str(VECTORS / "okx_por_example.csv"), jobs=1))
    assert result["assets"] == [{"symbol": "ETH", "reserves": "0.356881257500858402", "liabilities": None,
                                 "ratio": None, "ratio_percent": None, "fully_backed": None, "verified_rows": 3}]
    assert result["rejected"] == []
    assert [(r["line"], r["network"]) for r in result["unverified"]] == [(19, "TON"), (20, "APTOS")]
    assert [r["line"] for r in result["contract_wallets"]] == [18]
    assert "NOT checked on chain" in result["contract_wallet_caveat"]
    eth_all = result["declared_totals"][0]
    assert (eth_all["coin"], eth_all["declared"], eth_all["matches_listed"]) == ("ETH(ALL)", "6", False)


def test_okx_staking_layout_with_type_column():
    reserves = read_reserves(str(VECTORS / "okx_por_staking_example.csv"))
    assert [r.wallet_type for r in reserves.rows] == ["Non Staking", "Native ETH Staking", "Eigenlayer Staking"]
    result = summary_json(check_reserves(str(VECTORS / "okx_por_staking_example.csv"), jobs=1))
    assert result["rejected"] == [] and result["assets"][0]["reserves"] == "64.058959708849230328"
    assert [r["line"] for r in result["contract_wallets"]] == [6, 7]


def test_empty_spellings_leading_spaces_and_no_totals_block():
    text = HEADER + '\nETH,ETH,1,0xabc,  1.50 ,msg,0xsig,null,\\N,"",NULL\n'
    (row,) = parse_reserves(text, "r.csv").rows
    assert row.amount == Fraction(3, 2)
    assert (row.signatures, row.script, row.owners) == (("0xsig",), "", ())


@pytest.mark.parametrize("amount", ["-1", "1e3", "abc", "", "1.2.3"])
def test_malformed_amount_is_a_rejected_row(amount, tmp_path):
    path = tmp_path / "reserves.csv"
    path.write_text(f"{HEADER}\nETH,ETH,1,0x5ce9454909639D2D17A3F753ce7d93fa0b9aB12E,{amount},m,0x00,,\n")
    result = summary_json(check_reserves(str(path), jobs=1))
    (rejected,) = result["rejected"]
    assert rejected["line"] == 2 and rejected["reason"].startswith("amount")
    assert result["assets"] == []


@pytest.mark.parametrize("text,where,message", [
    ("", "r.csv", "no address rows"),
    ("coin,address,amount\nETH,0x,1\n", "r.csv:1", "lacks column(s): network, message, signature1"),
    (HEADER + ",extra\n", "r.csv:1", "unknown column(s) extra"),
    (HEADER + "\nETH,ETH,1,0x,1,m,s,,,,,,\n", "r.csv:2", "13 fields but the header has 11"),
    ("coin,snapshot height,amount\nETH(ALL),-,six\n\n" + HEADER + "\n", "r.csv:2", "totals row for ETH(ALL)"),
    (HEADER + '\nETH,ETH,1,"0x,1\n', "r.csv", "malformed CSV"),
])
def test_structural_errors_name_file_and_line(text, where, message):
    with pytest.raises(ReservesInputError) as error:
        parse_reserves(text, "r.csv")
    assert str(error.value).startswith(where + ":") and message in str(error.value)
