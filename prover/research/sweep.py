"""The sweep: every parameter point at a reference round, then every round size at the chosen points.

Two parts, so that the grid stays small: the *parameters* part crosses blowup, FRI arity, final degree and grinding
(each with its fewest queries for the target) at one reference round; the *scale* part crosses users and assets
for the standard preset (as published, whatever security it reaches) and for the parameter point with the
smallest proof (its queries re-chosen for each round, so it keeps meeting the target).
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

from tqdm import tqdm

from prover.research import estimate, points
from prover.research.measure import measure
from prover.research.points import Grid, RoundShape
from verifier.stark.params import StarkParams
from verifier.stark.protocol import AirError

DEFAULT_USERS = tuple(1 << k for k in range(8, 19))
DEFAULT_ASSETS = (1, 5, 22, 50, 100, 200)
PARAMETERS, SCALE = "parameters", "scale"
STANDARD, SMALLEST = "standard preset", "smallest proof"


@dataclass(frozen=True)
class Config:
    users: tuple[int, ...] = DEFAULT_USERS
    assets: tuple[int, ...] = DEFAULT_ASSETS
    grid: Grid = field(default_factory=Grid)
    reference: RoundShape = field(default_factory=lambda: RoundShape(1 << 16, 22))  # where the grid is swept
    target_bits: int = 100
    shard_leaves: int = points.DEFAULT_SHARD_LEAVES
    trials: int = estimate.DEFAULT_TRIALS
    measure: bool = False


def run(config: Config) -> list[dict]:
    """Every row of both parts (see the module docstring), estimated, and measured too with `config.measure`."""
    rows = []
    combos = list(config.grid.combinations())
    with _progress(len(combos), "parameter points") as tick:
        for combo in combos:
            params = points.fewest_queries(config.reference, *combo, config.target_bits)
            if params is not None:
                rows.append(_row(PARAMETERS, "grid", config.reference, params, config))
            tick(f"{points.point_name(*combo, params.num_queries if params else 0)}")
    best = min((r for r in rows if r["meets_target"]), key=lambda r: r["round_bytes"], default=None)

    shapes = [RoundShape(u, a, config.shard_leaves) for a in config.assets for u in config.users]
    with _progress(len(shapes) * 2, "round sizes") as tick:
        for shape in shapes:
            for label, params in ((STANDARD, points.standard()), (SMALLEST, _like(best, shape, config))):
                if params is not None:
                    rows.append(_row(SCALE, label, shape, params, config, measured=config.measure))
                tick(f"{label}: {shape.users} users x {shape.assets} assets")
    return rows


def _like(best: dict | None, shape: RoundShape, config: Config) -> StarkParams | None:
    """The best point's blowup, arity, final degree and grinding, with the fewest queries for this round."""
    if best is None:
        return None
    return points.fewest_queries(shape, best["log_blowup"], best["fri_log_arity"], best["fri_log_final_degree"],
                                 best["grinding_bits"], config.target_bits)


def _row(part: str, label: str, shape: RoundShape, params: StarkParams, config: Config,
         measured: bool = False) -> dict:
    try:
        protocol = points.protocol(shape, params)
    except AirError as error:
        raise ValueError(f"{params.name} on {shape}: {error}") from None
    security = protocol.security
    size = estimate.expected_size(protocol, config.trials)
    weakest = min(security.conjectured, key=security.conjectured.get)
    row = {
        "part": part, "label": label, "users": shape.users, "assets": shape.assets, "leaves": shape.leaves,
        "proofs": shape.proofs, "leaves_per_proof": shape.leaves_per_proof, "point": params.name,
        "log_blowup": params.log_blowup, "num_queries": params.num_queries, "grinding_bits": params.grinding_bits,
        "fri_log_arity": params.fri_log_arity, "fri_log_final_degree": params.fri_log_final_degree,
        "trace_length": protocol.trace_length, "lde_size": protocol.lde_size, "trace_width": protocol.trace_width,
        "fri_layers": len(protocol.fri_layers), "conjectured_bits": security.conjectured_bits,
        "proven_bits": security.proven_bits, "weakest_term": weakest,
        "meets_target": security.conjectured_bits >= config.target_bits,
        "proof_bytes": round(size.mean), "proof_bytes_low": size.low, "proof_bytes_high": size.high,
        "round_bytes": round(size.mean * shape.proofs), "size_trials": size.trials,
        "measured_bytes": None, "prove_s": None, "verify_s": None, "peak_mb": None,
    }
    if measured:
        m = measure(shape, params)
        row.update(measured_bytes=m.proof_bytes, prove_s=round(m.prove_s, 3), verify_s=round(m.verify_s, 4),
                   peak_mb=round(m.peak_mb))
    return row


class _progress:
    """A bar on a terminal; timestamped lines otherwise (logs and pipes)."""

    def __init__(self, total: int, what: str):
        self.total, self.what, self.done = total, what, 0
        self.bar = tqdm(total=total, desc=what, file=sys.stderr) if sys.stderr.isatty() else None

    def __enter__(self):
        return self.tick

    def tick(self, item: str) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.set_postfix_str(item, refresh=False)
            self.bar.update()
        else:
            print(f"{time.strftime('%H:%M:%S')} {self.what} {self.done}/{self.total}: {item}", file=sys.stderr,
                  flush=True)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
