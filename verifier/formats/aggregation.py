"""public.json's `aggregation` block: a round proven as one proof by recursion (docs/RECURSION.md).

    "aggregation": {"format": "por-aggregation/1", "shards": S, "arity": 2, "shard_params": {...},
                    "rows": [R_1, ..., R_L], "key": "<64 hex digits>"}

`shards` shard proofs (each under `shard_params`, Poseidon2) were verified in a tree of L = log2(S) levels of
2-to-1 layers (inner levels under `shard_params` too; the last under the round's `params`), level d's layers of
R_d active rows; proof.bin is the last layer's proof, a `RecursionAir` whose verifying key is `key`. The key is accepted only if it is
the pinned key of exactly this configuration (`params/recursion/keys.json`, `pinned_key`): every parameter
below the top is a constant of the circuits the key commits to, so a tree built at a weaker preset, another
shard size or asset list has another key. Shard roots and totals are not published.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from verifier.errors import InputError
from verifier.formats.fields import Fields
from verifier.stark.params import ParamsError, StarkParams

AGGREGATION_FORMAT = "por-aggregation/1"
KEYS_FORMAT = "por-recursion-keys/1"
ARITY = 2
_KEYS = ("format", "shards", "arity", "shard_params", "rows", "key")


@dataclass(frozen=True)
class Aggregation:
    shards: int
    shard_params: StarkParams
    rows: tuple[int, ...]  # each level's layers' active rows, the last level's last
    key: bytes

    def configuration(self, policy: str, leaves: int, assets, top: StarkParams) -> str:
        """The configuration the key must be pinned for, as one line people can read (and keys.json's key)."""
        # the circuits depend on the asset count, not on the symbols (the round's header enters as a digest)
        return (f"{AGGREGATION_FORMAT} policy={policy} shards={self.shards} shard_leaves={leaves // self.shards} "
                f"assets={len(assets)} arity={ARITY} shard_params={_params_id(self.shard_params)} top={_params_id(top)} "
                f"rows={','.join(map(str, self.rows))}")

    def document(self) -> dict:
        return {"format": AGGREGATION_FORMAT, "shards": self.shards, "arity": ARITY,
                "shard_params": self.shard_params.to_json(), "rows": list(self.rows), "key": self.key.hex()}


def _params_id(params: StarkParams) -> str:
    p = params
    return (f"{p.hash}/b{p.log_blowup}q{p.num_queries}g{p.grinding_bits}a{p.fri_log_arity}f{p.fri_log_final_degree}"
            f"{'zk' if p.zero_knowledge else ''}")


def _params(field: Fields, key: str) -> StarkParams:
    data = field.data[key]
    try:
        params = StarkParams.from_json(data)
        extra = set(data) - set(StarkParams.__dataclass_fields__)
        if extra:
            raise ParamsError(f"unknown key {sorted(extra)[0]!r}")
    except ParamsError as error:
        raise InputError(f"{field.where(key)}: {error}") from None
    field.require(params.hash == "poseidon2", key, "must commit with poseidon2 (a proof verified in a circuit)")
    return params


def parse_aggregation(name: str, data: object, leaves: int) -> Aggregation:
    """The block, strictly: every key, the format, a power-of-two shard count dividing the leaves."""
    field = Fields(name, data, _KEYS, "aggregation")
    field.require(data["format"] == AGGREGATION_FORMAT, "format", f"must be {AGGREGATION_FORMAT!r}")
    shards = field.integer("shards")
    field.require(shards >= 2 and shards & (shards - 1) == 0 and leaves // shards >= 2, "shards",
                  f"must be a power of two from 2 to {leaves // 2}")
    field.require(field.integer("arity") == ARITY, "arity", f"must be {ARITY}")
    rows = data["rows"]
    field.require(isinstance(rows, list) and len(rows) == shards.bit_length() - 1 and
                  all(type(r) is int and 2 <= r <= 1 << 30 for r in rows), "rows",
                  "must list each level's active row count (log2(shards) of them)")
    key = data["key"]
    field.require(isinstance(key, str) and len(key) == 64 and all(c in "0123456789abcdef" for c in key), "key",
                  "must be 64 lower-case hex digits")
    return Aggregation(shards, _params(field, "shard_params"), tuple(rows), bytes.fromhex(key))


def pinned_keys(extra: dict[str, bytes] | None = None) -> dict[str, bytes]:
    """The verifying keys this toolkit pins (params/recursion/keys.json), plus `extra` ones an auditor recomputed
    (`python -m prover.exchange.pin_keys`)."""
    data = json.loads(resources.files("params").joinpath("recursion", "keys.json").read_text())
    if data.get("format") != KEYS_FORMAT:
        raise InputError(f"params/recursion/keys.json: format must be {KEYS_FORMAT!r}")
    return {**{k: bytes.fromhex(v) for k, v in data["keys"].items()}, **(extra or {})}
