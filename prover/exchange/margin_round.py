"""Prove a margin round (SPEC §1 "Margin policy"): users with equity, debt and collateral in, round directory out.

Every user is checked first, as the circuit will: each asset's collateral at most its equity, every slot below
2^62, and the haircut value of the collateral covering the debt's value. A file with any user failing is refused
with every such line named; `exclude_refused` proves the others instead and lists each one left out (line, id,
reason) in the round directory's `excluded.json`, private like the inclusion store (whose leaves hold each
user's slots, so `por inclusion` exports proofs showing equity, debt and collateral). The users' slots then go
through the plain round's pipeline (`round.prove_round`): sharding, --split (`solvent_split`), --resume, Dask
workers, staging, the check before publishing and the atomic rename are the same code.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from circuits.margin import MarginAir, MarginStatement, Policy
from circuits.margin.policy import AMOUNT_BOUND, MAX_RATIO, collateral_bands
from prover.exchange.inputs import read_asset_list, read_users
from prover.exchange.inputs.margin_assets import UnpricedAssets, read_margin_policy
from prover.exchange.pieces import solvent_split
from prover.exchange.progress import Progress
from prover.exchange.round import DEFAULT_SHARD_LEAVES, Book, RoundResult, UsersSource, prove_round
from prover.exchange.solvency_trace import exact_totals
from prover.exchange.users import UsersFileError, UserTable
from verifier.errors import InputError
from verifier.formats.amounts import format_amount
from verifier.formats.margin_public import header_policy
from verifier.stark.params import StarkParams
from verifier.stark.protocol import Protocol
from verifier.stark.verify import MIN_SECURITY

EXCLUDED_FILE = "excluded.json"
MAX_NAMED = 1000  # refused lines named in one message


def prove_margin_round(users_path: str | os.PathLike, round_name: str, out_dir: str | os.PathLike,
                       preset: str = "standard", secret_file: str | os.PathLike | None = None, progress: bool = True,
                       source: UsersSource = UsersSource(), min_leaves: int = 0,
                       exclude_refused: bool = False, pledge_equity: str | None = None,
                       shard_leaves: int | None = None, allow_small_shards: bool = False, resume: bool = False,
                       workers: int | str | None = None, scheduler: str | None = None, processes: bool = True,
                       split: int = 1) -> RoundResult:
    """`pledge_equity`: a collateral kind that each user's whole equity counts as (OKX v2's rule, net value
    non-negative at that kind's haircuts), for files that state no collateral. `shard_leaves` defaults to
    `secure_shard_leaves` of the round's assets and policy. The other options are the plain round's
    (`round.prove_round`, whose pipeline this is): `split` cuts every slot of a user by the same proportions
    (`solvent_split`)."""
    if not source.assets_file:
        raise InputError("the margin policy needs --assets: the asset list with prices and haircut tiers")

    def read(shown: Progress, params: StarkParams) -> Book:
        shown.stage("reading users, prices and tiers")
        try:
            declared = read_asset_list(source.assets_file)
            table = read_users(users_path, assets=declared, file_format=source.file_format, floor=source.floor,
                               margin=True)
            policy = read_margin_policy(source.assets_file, list(table.assets))
        except UnpricedAssets as error:
            raise InputError(unpriced_debts(error, table, os.fspath(users_path))) from None
        except UsersFileError as error:
            raise InputError(str(error)) from None
        except OSError as error:
            raise InputError(f"{error.filename or users_path}: {error.strerror or error}") from None
        slots, refused = margin_slots(table, policy, os.fspath(users_path), pledge_equity)
        if refused and not exclude_refused:
            named = "\n".join(f"  {line}" for _, line in refused[:MAX_NAMED])
            more = f"\n  ... and {len(refused) - MAX_NAMED} more" if len(refused) > MAX_NAMED else ""
            raise InputError(f"{users_path}: {len(refused)} users fail the margin policy (prove the others with "
                             f"--exclude-refused, which lists them in {EXCLUDED_FILE}):\n{named}{more}")
        keep = np.setdiff1d(np.arange(len(table.ids)), [i for i, _ in refused])
        if not keep.size:
            raise InputError(f"{users_path}: every user fails the margin policy")
        slots = slots[keep]
        assets = [(a.symbol, a.decimals) for a in table.assets]
        totals = exact_totals(slots)
        private, notes = {}, ()
        if refused:
            excluded = [{"user_id": table.ids[i], "why": why} for i, why in refused]
            private = {EXCLUDED_FILE: (json.dumps(excluded, indent=2) + "\n").encode()}
            notes = (f"left out {len(refused)} users the margin policy refuses; each is listed in "
                     f"{Path(out_dir) / EXCLUDED_FILE}",)
        return Book([table.ids[i] for i in keep.tolist()], slots, header_policy(policy),
                    lambda n, root: MarginStatement.of_slot_totals(round_name, assets, n, root, totals, policy),
                    secure_shard_leaves(assets, policy, params),
                    split=lambda values, most, seed: solvent_split(values, most, seed,
                                                                   lambda leaves: solvent(leaves, policy)),
                    fingerprint={"policy": "margin", "exclude_refused": exclude_refused,
                                 "pledge_equity": pledge_equity},
                    private_files=private, notes=notes)

    return prove_round(users_path, round_name, out_dir, preset, secret_file, progress, shard_leaves,
                       allow_small_shards, resume, workers, scheduler, processes, source, min_leaves, split,
                       read_book=read)


def margin_slots(table: UserTable, policy: Policy, name: str, pledge_equity: str | None = None
                 ) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """The users' slots (per asset: free equity, debt, collateral per kind), and (user, message naming the line)
    for each user the policy refuses."""
    books, kinds = table.margin, policy.kinds
    users, assets = table.balances.shape
    stated = dict(books.collateral) if books else {}
    _check_kinds(stated, table, kinds, name)
    stated = {kind: c for kind, c in stated.items() if kind in kinds}  # the others pledge nothing
    if pledge_equity is not None:
        if pledge_equity not in kinds:
            raise InputError(f"--pledge-equity {pledge_equity}: the asset list has no such collateral kind "
                             f"({', '.join(kinds)})")
        if stated:
            raise InputError(f"--pledge-equity: {name} states collateral itself")
        stated = {pledge_equity: table.balances}
    zero = np.zeros_like(table.balances)
    debt = books.debt if books else zero
    collateral = [stated.get(kind, zero) for kind in kinds]
    pledged = sum((c.astype(object) for c in collateral), np.zeros((users, assets), dtype=object))
    free = table.balances.astype(object) - pledged
    width = policy.slots_per_asset
    slots = np.zeros((users, assets * width), dtype=object)
    slots[:, 0::width], slots[:, 1::width] = free, debt.astype(object)
    for q, c in enumerate(collateral):
        slots[:, 2 + q::width] = c.astype(object)
    too_large = (slots >= AMOUNT_BOUND).reshape(users, assets, width).any(axis=2)
    cover, owed = cover_and_debt(debt, collateral, policy)
    refused = []
    for i in np.flatnonzero((free < 0).any(axis=1) | too_large.any(axis=1) | (owed > cover)).tolist():
        problems = []
        for j, asset in enumerate(table.assets):
            if free[i, j] < 0:
                problems.append(f"{asset.symbol}: collateral {format_amount(pledged[i, j], asset.decimals)} above "
                                f"equity {format_amount(int(table.balances[i, j]), asset.decimals)}")
            if too_large[i, j]:
                problems.append(f"{asset.symbol}: an amount of 2^62 base units or more")
        if not too_large[i].any() and owed[i] > cover[i]:
            problems.append(f"debt worth {_usd(owed[i], policy)} USD exceeds the haircut collateral's "
                            f"{_usd(cover[i], policy)} USD")
        refused.append((i, f"{books.where(name, i) if books else name}: user {table.ids[i]!r}: {'; '.join(problems)}"))
    slots[[i for i, _ in refused]] = 0
    return slots.astype(np.uint64), refused


def _check_kinds(stated: dict[str, np.ndarray], table: UserTable, kinds: tuple[str, ...], name: str) -> None:
    """Refuse pledges of a collateral kind the asset list has no tier column for, naming each (a configuration
    error, not a pledge to count as nothing: an empty tier list in that column says that)."""
    pledges = [(i, j, kind) for kind in sorted(set(stated) - set(kinds)) for i, j in np.argwhere(stated[kind] > 0)]
    if not pledges:
        return
    named = "".join(f"\n  {table.margin.where(name, i)}: user {table.ids[i]!r}: {table.assets[j].symbol}: {kind} "
                    f"collateral {format_amount(int(stated[kind][i, j]), table.assets[j].decimals)}"
                    for i, j, kind in sorted(pledges)[:MAX_NAMED])
    more = f"\n  ... and {len(pledges) - MAX_NAMED} more" if len(pledges) > MAX_NAMED else ""
    missing = sorted({kind for _, _, kind in pledges})
    raise InputError(f"{name}: {len(pledges)} pledges of collateral kinds the asset list has no tiers for "
                     f"({', '.join(missing)}: give it a <kind>_tiers_ratio column for each, where an empty tier "
                     f"list counts nothing):{named}{more}")


def unpriced_debts(error: UnpricedAssets, table: UserTable, name: str) -> str:
    """The refusal of an asset list leaving assets unpriced, with every user who owes one of them (file, line, user,
    asset, amount): their debt could not be valued, so no round can take them as they are."""
    books = table.margin
    owing = []
    for j, asset in enumerate(table.assets):
        if asset.symbol in error.symbols and books is not None:
            owing += [(i, f"{books.where(name, i)}: user {table.ids[i]!r}: {asset.symbol}: debt "
                          f"{format_amount(int(books.debt[i, j]), asset.decimals)} in an asset without a price")
                      for i in np.flatnonzero(books.debt[:, j]).tolist()]
    owing.sort()
    named = "".join(f"\n  {line}" for _, line in owing[:MAX_NAMED])
    more = f"\n  ... and {len(owing) - MAX_NAMED} more" if len(owing) > MAX_NAMED else ""
    users = f"\n{len(owing)} debts in an asset without a price:{named}{more}" if owing else ""
    return f"{error}; give every asset of a margin round a price{users}"


def cover_and_debt(debt: np.ndarray, collateral: list[np.ndarray], policy: Policy) -> tuple[np.ndarray, np.ndarray]:
    """Per row (a user or a leaf), 100 x the haircut value of its collateral (per kind, (R, A) amounts) and 100 x
    the value of its (R, A) debt, as exact integers: the row is solvent when the first covers the second."""
    rows, assets = debt.shape
    cover = sum((haircut_values(policy.prices[j], policy.tiers[j][q], c[:, j])
                 for j in range(assets) for q, c in enumerate(collateral)), np.zeros(rows, dtype=object))
    owed = (debt.astype(object) * np.array([MAX_RATIO * p for p in policy.prices], dtype=object)).sum(axis=1)
    return cover, owed


def solvent(slots: np.ndarray, policy: Policy) -> np.ndarray:
    """(R,) bool: whether each row of (R, A * (2 + K)) slots is solvent under `policy` (collateral at most equity
    holds for any non-negative slots: equity is free equity plus collateral)."""
    width = policy.slots_per_asset
    cover, owed = cover_and_debt(slots[:, 1::width], [slots[:, 2 + q::width] for q in range(len(policy.kinds))],
                                 policy)
    return (cover >= owed).astype(bool)


def haircut_values(price: int, tiers, amounts: np.ndarray) -> np.ndarray:
    """100 x the haircut value of each amount (base units) as the circuit counts it (`policy.haircut_value`), as
    exact integers; amounts of 2^62 or more get their last band's (their users are refused anyway)."""
    bands = collateral_bands(0, price, tiers)
    chosen = np.searchsorted(np.array([b.lo for b in bands], dtype=np.uint64), amounts, side="right") - 1
    lo, start, slope = (np.array([getattr(b, k) for b in bands], dtype=object)[chosen] for k in ("lo", "start", "slope"))
    return start + slope * (amounts.astype(object) - lo)


def _usd(hundredfold: int, policy: Policy) -> str:
    """100 x value units (10^-scale USD) as USD, exactly."""
    return format_amount(hundredfold, policy.scale + 2)


def secure_shard_leaves(assets: list[tuple[str, int]], policy: Policy, params: StarkParams) -> int:
    """The largest power of two up to DEFAULT_SHARD_LEAVES whose margin proof's LogUp terms reach MIN_SECURITY: they
    fall with the proof's rows, and no preset raises them (docs/SOUNDNESS.md), so margin rounds shard finer than
    plain ones (2^14 leaves at 22 assets and three collateral kinds)."""
    leaves = DEFAULT_SHARD_LEAVES
    while leaves > 2:
        shape = MarginStatement.of_slot_totals("shape", assets, leaves, (0, 0, 0, 0),
                                               [0] * (len(assets) * policy.slots_per_asset), policy)
        if Protocol(MarginAir(shape, params.zk_rows), params).security.logup_combined >= MIN_SECURITY:
            break
        leaves //= 2
    return leaves
