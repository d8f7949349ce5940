"""Proof parameters and the presets in `params/` (the security they give is `verifier.stark.security`'s).

`hash` chooses the commitment hash and the transcript (`verifier.stark.commitment`): "blake2s", the default and
what parameters without the field mean (every older public.json and proof), or "poseidon2", for proofs another
proof will verify; `with_hash` derives either from a preset."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from importlib import resources

from verifier.stark.commitment import HASHES

PRESETS = ("standard", "compact", "test")

# Ranges a proof's parameters must fall in before anything else is computed from them.
_LIMITS = {
    "log_blowup": (1, 6),
    "num_queries": (1, 256),
    "grinding_bits": (0, 32),
    "fri_log_arity": (1, 4),
    "fri_log_final_degree": (0, 10),
}


class ParamsError(ValueError):
    pass


@dataclass(frozen=True)
class StarkParams:
    name: str
    log_blowup: int
    num_queries: int
    grinding_bits: int
    fri_log_arity: int
    fri_log_final_degree: int
    zero_knowledge: bool
    hash: str = "blake2s"

    def __post_init__(self):
        for key, (lo, hi) in _LIMITS.items():
            value = getattr(self, key)
            if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
                raise ParamsError(f"parameter {key}={value!r} outside [{lo}, {hi}]")
        if not isinstance(self.zero_knowledge, bool):
            raise ParamsError("parameter zero_knowledge must be true or false")
        if self.hash not in HASHES:
            raise ParamsError(f"parameter hash={self.hash!r} is not one of {', '.join(HASHES)}")

    @property
    def blowup(self) -> int:
        return 1 << self.log_blowup

    @property
    def zk_rows(self) -> int:
        """Random rows appended to the trace: more than the points at which any trace polynomial is revealed
        (each query opens a row and the quotient there depends on the next row too; plus z and z*g)."""
        return 2 * (self.num_queries + 2) if self.zero_knowledge else 0

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "StarkParams":
        if not isinstance(data, dict):
            raise ParamsError("params must be a JSON object")
        names = [f for f in cls.__dataclass_fields__ if f in data or f != "hash"]  # no hash: BLAKE2s
        missing = [n for n in names if n not in data]
        if missing:
            raise ParamsError(f"params missing {', '.join(missing)}")
        if not isinstance(data["name"], str) or not data["name"]:
            raise ParamsError("params name must be a non-empty string")
        return cls(**{n: data[n] for n in names})


def load_preset(name: str) -> StarkParams:
    if name not in PRESETS:
        raise ParamsError(f"unknown preset {name!r} (choose {', '.join(PRESETS)})")
    data = json.loads(resources.files("params").joinpath(f"{name}.json").read_text())
    data.pop("description", None)
    return StarkParams.from_json(data)


def with_hash(params: StarkParams, hash_name: str) -> StarkParams:
    """The same parameters committing and drawing challenges with `hash_name` (named after it, if it changes)."""
    if hash_name == params.hash:
        return params
    return replace(params, hash=hash_name, name=f"{params.name}+{hash_name}")
