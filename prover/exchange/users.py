"""Moved to `prover.exchange.inputs` (one module per layout, plus the asset list); kept so imports still work."""
from prover.exchange.inputs import (  # noqa: F401
    DEFAULT_DECIMALS,
    MAX_DECIMALS,
    MAX_USER_ID_BYTES,
    Asset,
    AssetList,
    UsersFileError,
    UserTable,
    read_asset_list,
    read_users,
)
