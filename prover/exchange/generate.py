"""Synthetic but realistic users for demos and benchmarks (`por generate`).

Realistic means shaped like an exchange's book: most users hold one to three assets, popular assets are held
far more often, and wealth is heavy-tailed (a Pareto per user times a log-normal per holding, in US dollars,
converted to each asset's units at a typical price). Deterministic by seed.
"""
import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from prover.exchange.users import DEFAULT_DECIMALS, Asset, UserTable
from verifier.formats.amounts import BALANCE_BOUND, format_amount
from verifier.formats.atomic import atomic_output


@dataclass(frozen=True)
class MarketAsset:
    symbol: str
    price_usd: float
    popularity: float  # relative chance that a user's next holding is this asset


DEFAULT_MARKET = (
    MarketAsset("BTC", 60_000.0, 20.0),
    MarketAsset("ETH", 3_000.0, 15.0),
    MarketAsset("USDT", 1.0, 30.0),
    MarketAsset("USDC", 1.0, 8.0),
    MarketAsset("SOL", 150.0, 6.0),
    MarketAsset("XRP", 0.5, 5.0),
    MarketAsset("DOGE", 0.15, 4.0),
    MarketAsset("TRX", 0.12, 3.0),
    MarketAsset("TON", 6.0, 2.0),
    MarketAsset("ADA", 0.45, 2.0),
    MarketAsset("LTC", 80.0, 2.0),
    MarketAsset("DOT", 7.0, 1.5),
    MarketAsset("LINK", 15.0, 1.5),
    MarketAsset("AVAX", 35.0, 1.5),
    MarketAsset("SHIB", 0.00002, 1.5),
    MarketAsset("BCH", 400.0, 1.0),
    MarketAsset("POL", 0.5, 1.0),
    MarketAsset("UNI", 8.0, 1.0),
    MarketAsset("ETC", 25.0, 1.0),
    MarketAsset("FIL", 5.0, 0.8),
    MarketAsset("APT", 8.0, 0.8),
    MarketAsset("OKB", 45.0, 1.2),
)

# Chance of holding k = 1, 2, 3, 4, 5 assets; the remaining 5% spread evenly over 6..K (the "many assets" users).
_HOLDING_COUNT_WEIGHTS = (52.0, 24.0, 12.0, 4.0, 3.0)
_MANY_ASSETS_WEIGHT = 5.0
_WEALTH_FLOOR_USD = 20.0
_WEALTH_PARETO_ALPHA = 1.16  # the "80/20" tail
_HOLDING_LOGNORMAL_SIGMA = 1.0
# The largest float64 below 2^63. Only cheap assets reach it: 2^63 base units of SHIB at 8 decimals is ~$1.8M.
_LARGEST_BALANCE = np.nextafter(float(BALANCE_BOUND), 0.0)


def generate_users(n_users: int, n_assets: int = len(DEFAULT_MARKET), seed: int = 0) -> UserTable:
    """`n_users` synthetic users over the first `n_assets` default assets; every user holds at least one."""
    if n_users < 1:
        raise ValueError(f"n_users must be at least 1, got {n_users}")
    if not 1 <= n_assets <= len(DEFAULT_MARKET):
        raise ValueError(f"n_assets must be in 1..{len(DEFAULT_MARKET)}, got {n_assets}")
    market = DEFAULT_MARKET[:n_assets]
    rng = np.random.default_rng(seed)

    held_rows, held_columns = np.nonzero(_choose_holdings(rng, n_users, np.array([a.popularity for a in market])))
    wealth_usd = _WEALTH_FLOOR_USD * (1.0 + rng.pareto(_WEALTH_PARETO_ALPHA, size=n_users))
    value_usd = wealth_usd[held_rows] * rng.lognormal(0.0, _HOLDING_LOGNORMAL_SIGMA, size=len(held_rows))
    units = value_usd / np.array([a.price_usd for a in market])[held_columns]
    balances = np.zeros((n_users, n_assets), dtype=np.uint64)
    balances[held_rows, held_columns] = np.clip(np.floor(units * 10.0**DEFAULT_DECIMALS), 1.0, _LARGEST_BALANCE)

    width = len(str(n_users - 1))
    return UserTable(
        assets=[Asset(a.symbol, DEFAULT_DECIMALS) for a in market],
        ids=[f"user{i:0{width}d}" for i in range(n_users)],
        balances=balances,
    )


def _choose_holdings(rng: np.random.Generator, n_users: int, popularity: np.ndarray) -> np.ndarray:
    """Boolean (users, assets) mask: a holding count per user, then that many assets drawn by popularity.

    Weighted sampling without replacement, vectorised: each asset gets the key Exp(1) / popularity and a user
    holds the assets with the k smallest keys (the exponential-clocks form of successive weighted draws).
    """
    n_assets = len(popularity)
    counts = np.arange(1, n_assets + 1)
    weights = np.array(_HOLDING_COUNT_WEIGHTS + (0.0,) * n_assets)[:n_assets]
    if n_assets > len(_HOLDING_COUNT_WEIGHTS):
        weights[len(_HOLDING_COUNT_WEIGHTS):] = _MANY_ASSETS_WEIGHT / (n_assets - len(_HOLDING_COUNT_WEIGHTS))
    holding_count = rng.choice(counts, size=n_users, p=weights / weights.sum())

    keys = rng.exponential(size=(n_users, n_assets)) / popularity
    cutoff = np.take_along_axis(np.sort(keys, axis=1), (holding_count - 1)[:, None], axis=1)
    return keys <= cutoff


def write_users_csv(table: UserTable, path: str | os.PathLike) -> None:
    """Write `table` as a users CSV atomically: a temporary file beside `path`, then os.replace.

    A crash or error leaves either the previous file or none, never a partial one. The file is private (0600)
    because it holds every user's balances.
    """
    path = Path(path)
    header = ["id"] + [a.symbol if a.decimals == DEFAULT_DECIMALS else f"{a.symbol}:{a.decimals}" for a in table.assets]
    with atomic_output(path, newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(_csv_rows(table))


def _csv_rows(table: UserTable):
    decimals = [a.decimals for a in table.assets]
    for user_id, balances in zip(table.ids, table.balances.tolist()):
        yield [user_id] + [format_amount(b, d) if b else "" for b, d in zip(balances, decimals)]
