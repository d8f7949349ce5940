"""The exchange's inputs: the asset list and the users file, in the layouts exchanges export.

`read_users(path, assets=read_asset_list(...), file_format=..., floor=...)` is the one entry point: it picks the
reader (by `file_format`, or by content), converts every amount exactly at its asset's declared decimals, and
either returns a `UserTable` or raises `UsersFileError` naming file and line; nothing is written either way.
"""
import os
from collections.abc import Mapping, Sequence

from prover.exchange.inputs.assets import DEFAULT_DECIMALS, MAX_DECIMALS, Asset, AssetList, Declared, read_asset_list
from prover.exchange.inputs.binance_csv import read_users_binance
from prover.exchange.inputs.csv_users import read_users_csv
from prover.exchange.inputs.okx_json import read_users_okx_json
from prover.exchange.inputs.problems import UsersFileError
from prover.exchange.inputs.scaling import Floored, Scaler
from prover.exchange.inputs.source import FORMATS, detect_format, read_text
from prover.exchange.inputs.table import UserTable
from prover.exchange.inputs.user_ids import MAX_USER_ID_BYTES, normalize_user_id

__all__ = ["DEFAULT_DECIMALS", "FORMATS", "MAX_DECIMALS", "MAX_USER_ID_BYTES", "Asset", "AssetList", "Floored",
           "UserTable", "UsersFileError", "detect_format", "normalize_user_id", "read_asset_list", "read_users"]


def read_users(
    path: str | os.PathLike,
    assets: AssetList | Sequence[str] | None = None,
    decimals: Mapping[str, int] | None = None,
    file_format: str | None = None,
    floor: bool = False,
    margin: bool = False,
) -> UserTable:
    """Read a users file into a table of base units.

    `assets`: the round's asset list (its order is the table's; any other asset in the file is an error), or
    None to take the file's assets in first-seen order. `decimals` fixes decimals by symbol (an `AssetList`
    carries its own). `file_format`: one of FORMATS, or None to detect it from the content. `floor`: truncate
    digits beyond an asset's decimals instead of refusing them; the table's `floored` says what was dropped.
    `margin`: load debt and collateral too (the table's `margin`; Binance's CSV and OKX v2 carry them).
    JSON layouts hold base units, so they need every asset's decimals declared.
    """
    if file_format is not None and file_format not in FORMATS:
        raise ValueError(f"unknown users format {file_format!r} (one of {', '.join(FORMATS)})")
    declared = Declared(assets, decimals)
    name, text = os.fspath(path), read_text(path)
    file_format = file_format or detect_format(text)
    if file_format in ("json", "okx-v2"):
        if floor:
            raise ValueError("floor does not apply to JSON: its amounts are integer base units")
        return read_users_okx_json(name, text, declared, signed=file_format == "okx-v2", margin=margin)
    if file_format == "binance":
        return read_users_binance(name, text, declared, Scaler(floor), margin)
    return read_users_csv(name, text, declared, Scaler(floor))
