
import numpy as np
import pytest
from click.testing import CliRunner

from prover.cli import main as por
from prover.exchange import generate as generate_module
from prover.exchange.generate import DEFAULT_MARKET, generate_users, write_users_csv
from prover.exchange.users import read_users
from verifier.formats.amounts import BALANCE_BOUND


@pytest.fixture(scope="module")
def table():
    return generate_users(20_000, seed=7)


def test_default_assets_resemble_an_exchange(table):
    symbols = [a.symbol for a in table.assets]
    assert len(symbols) == 22 and symbols[:3] == ["BTC", "ETH", "USDT"] and "OKB" in symbols
    assert all(a.decimals == 8 for a in table.assets)
    assert table.balances.shape == (20_000, 22) and table.balances.dtype == np.uint64
    assert len(set(table.ids)) == len(table.ids)


def test_same_seed_same_users_other_seed_other_users(table):
    again = generate_users(20_000, seed=7)
    assert again.ids == table.ids and np.array_equal(again.balances, table.balances)
    assert not np.array_equal(generate_users(20_000, seed=8).balances, table.balances)


def test_most_users_hold_one_to_three_assets_and_some_hold_many(table):
    held = (table.balances > 0).sum(axis=1)
    assert held.min() >= 1
    assert 0.8 <= np.mean(held <= 3) <= 0.95
    assert np.mean(held >= 8) > 0.005


def test_popular_assets_are_held_more_often(table):
    holders = dict(zip((a.symbol for a in table.assets), (table.balances > 0).sum(axis=0)))
    assert holders["USDT"] > holders["BTC"] > holders["APT"]


def test_amounts_are_heavy_tailed_and_below_the_bound(table):
    usdt = table.balances[:, 2]
    usdt = usdt[usdt > 0].astype(np.float64)
    assert usdt.max() > 100 * np.median(usdt)
    assert table.balances.max() < BALANCE_BOUND


def test_extreme_amounts_are_clamped_below_two_to_the_63(monkeypatch):
    monkeypatch.setattr(generate_module, "_WEALTH_FLOOR_USD", 1e30)
    balances = generate_users(100, seed=1).balances
    assert balances.max() < BALANCE_BOUND
    assert balances.max() > BALANCE_BOUND // 2


def test_asset_subset_and_argument_checks():
    assert [a.symbol for a in generate_users(10, n_assets=3).assets] == ["BTC", "ETH", "USDT"]
    for bad in ({"n_users": 0}, {"n_users": 5, "n_assets": 0}, {"n_users": 5, "n_assets": len(DEFAULT_MARKET) + 1}):
        with pytest.raises(ValueError):
            generate_users(**bad)


def test_written_csv_reads_back_identically(tmp_path, table):
    path = tmp_path / "users.csv"
    write_users_csv(table, path)
    back = read_users(path)
    assert back.ids == table.ids and back.assets == table.assets
    assert np.array_equal(back.balances, table.balances)
    assert [p.name for p in tmp_path.iterdir()] == ["users.csv"]


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, table, monkeypatch):
    path = tmp_path / "users.csv"
    path.write_text("previous\n")

    def failing_rows(_table):
        yield ["user0", "1"]
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(generate_module, "_csv_rows", failing_rows)
    with pytest.raises(RuntimeError):
        write_users_csv(table, path)
    assert path.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["users.csv"]


def por_group():
    return por


def test_generate_command_writes_the_file(tmp_path):
    out = tmp_path / "users.csv"
    result = CliRunner().invoke(por_group(), ["generate", "--users", "50", "--assets", "4", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "50 users x 4 assets" in result.output
    table = read_users(out)
    assert len(table.ids) == 50 and [a.symbol for a in table.assets] == ["BTC", "ETH", "USDT", "USDC"]
    assert np.array_equal(table.balances, generate_users(50, 4, seed=3).balances)


@pytest.mark.parametrize(
    "arguments",
    [
        ["--users", "0", "--out", "x.csv"],
        ["--users", "5", "--assets", "23", "--out", "x.csv"],
        ["--users", "5"],
        ["--users", "5", "--out", "{missing}/users.csv"],
    ],
)
def test_generate_command_usage_errors_exit_2(tmp_path, arguments):
    arguments = [a.format(missing=tmp_path / "missing") for a in arguments]
    result = CliRunner().invoke(por_group(), ["generate", *arguments])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


@pytest.mark.benchmark
def test_million_users_by_22_assets_timings(tmp_path):
    """Run with: python -m pytest tests/test_generate.py -m benchmark -s"""
    import time

    started = time.perf_counter()
    table = generate_users(1_000_000, seed=1)
    generated = time.perf_counter()
    write_users_csv(table, tmp_path / "users.csv")
    written = time.perf_counter()
    back = read_users(tmp_path / "users.csv")
    read = time.perf_counter()
    assert np.array_equal(back.balances, table.balances)
    print(
        f"\n10^6 users x 22 assets: generate {generated - started:.2f}s, "
        f"write {written - generated:.2f}s, read {read - written:.2f}s"
    )
