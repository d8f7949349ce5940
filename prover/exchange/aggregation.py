"""A sharded round as one proof (`por prove --aggregate`): its shards proven with Poseidon2 commitments, then a
tree of 2-to-1 aggregation layers (`prover.recursion.layer`), each level's layers as tasks on the round's runner
(here or on Dask) and saved to staging as they finish; the last layer, proven with the round's own preset
(BLAKE2s: nobody verifies it inside another proof), is the round's one proof.bin. Shard statements name the round
itself and their position (`Statement.shard`), so every layer's claim is about one round; shard roots and totals
stay inside the tree (their proofs are deleted before publishing unless kept for audit).
"""
from __future__ import annotations

from circuits.recursion.air import RecursionAir
from circuits.recursion.statement import combine
from circuits.solvency import SolvencyAir, Statement
from prover.recursion.layer import LayerProof, prove_layer, verifier_air
from verifier.formats.aggregation import Aggregation
from verifier.formats.public import Shard
from verifier.stark.params import StarkParams
from verifier.stark.protocol import Protocol

LAYERS_DIR = "layers"


def shard_parts(statement: Statement, shards: tuple[Shard, ...]) -> list[tuple[str, Statement]]:
    """The shard proofs' staging files and statements: shard i of S of the round itself."""
    count = len(shards)
    return [(f"{LAYERS_DIR}/shard-{i:04d}.bin",
             Statement(statement.round, statement.assets, statement.leaves // count, shard.root, shard.totals,
                       (i, count)))
            for i, shard in enumerate(shards)]


def layer_task(children: list[tuple[object, bytes]], child_count: int, child_params: StarkParams,
               params: StarkParams, progress=None) -> LayerProof:
    """One layer over (child AIR, proof) pairs (a task: plain, picklable arguments)."""
    if progress:
        progress(f"verifying {len(children)} proofs in a circuit and proving it")
    return prove_layer([(Protocol(air, child_params), proof) for air, proof in children], child_count, params)


def aggregate(runner, staging, parts: list[tuple[str, Statement]], proofs: list[bytes], shard_params: StarkParams,
              top_params: StarkParams, shown) -> tuple[LayerProof, list[int]]:
    """The tree over the shard proofs, level by level; returns the last layer and every level's layer rows."""
    children = [(SolvencyAir(statement, shard_params.zk_rows), proof) for (_, statement), proof in zip(parts, proofs)]
    child_params, count, level, rows = shard_params, 1, 0, []
    while True:
        level += 1
        pairs = [children[i:i + 2] for i in range(0, len(children), 2)]
        last = len(pairs) == 1
        params = top_params if last else shard_params
        shown.stage(f"aggregation level {level}: {len(pairs)} layer{'s' * (len(pairs) > 1)}")
        labels = [f"layer {level}.{i + 1}/{len(pairs)}: " for i in range(len(pairs))]
        results: dict[int, LayerProof] = {}
        for k, layer in runner.map(layer_task, [(pair, count, child_params, params) for pair in pairs], labels):
            staging.save(f"{LAYERS_DIR}/level-{level}-{k:04d}.bin", layer.proof)
            results[k] = layer
        layers = [results[k] for k in range(len(pairs))]
        rows.append(layers[0].air.active_rows)
        if last:
            return layers[0], rows
        children = [(verifier_air(layer.claim, layer.air.active_rows, layer.air.key, params.zk_rows), layer.proof)
                    for layer in layers]
        child_params, count = params, count * 2


def aggregation_block(top: LayerProof, parts: list[tuple[str, Statement]], shard_params: StarkParams,
                      rows: list[int]) -> Aggregation:
    expected = combine([statement.claim() for _, statement in parts])
    if top.claim != expected:  # the tree proved another statement than the shards': a bug, never published
        raise RuntimeError("the aggregated claim differs from the shards' combined claim")
    if not isinstance(top.air, RecursionAir):
        raise TypeError("the last layer is a RecursionAir")
    return Aggregation(len(parts), shard_params, tuple(rows), top.air.key)
