"""The liabilities AIR (SPEC §1): every balance in [0, 2^63), exact per-asset totals, and the Merkle root of the
leaves computed inside the constraint system.

One Poseidon2 permutation per row. A row holds the permutation's input state (12 lanes) and every S-box output
(8 full rounds x 12 lanes + 22 partial rounds); the linear layers between them are linear expressions, so each
S-box costs one degree-7 constraint. Row types, in a layout fixed by the public leaf count N:

    rows [0, N*C)          leaf sponges: leaf i takes C = ceil((4 + A) / 8) rows (chunk flags lc_0 .. lc_{C-1})
    rows [N*C, N*C+N-1)    tree nodes, heap ids N-1 down to 1 (the root, whose output is the public root)
    ...                    filler rows (valid permutations of zeros, no flags)
    the last T rows        totals rows, T = ceil(A / 8)

Balances are the rate lanes of the leaf rows. Each such lane is the sum of four 16-bit limbs, range-checked by
LogUp lookups, with the top limb also below 2^15 (it is looked up again plus 2^15): so 0 <= b < 2^63 and a
"negative" p - x can never pass. Per asset, two accumulators add the low 32 and the high 31 bits of the
balances; neither can wrap (N <= 2^31). On the totals rows the published total L is matched exactly: lane
2^32*q (limbs 0 and 1 zero, so 0 <= q < 2^31) with acc_lo = 2^32*q + (L mod 2^32) and acc_hi + q = L >> 32.

The tree is linked by a LogUp bus of (digest, heap id): leaf i sends its digest with id N+i, node k receives
its children (ids 2k, 2k+1) and, unless it is the root, sends its own digest with id k. Ids are forced by the
layout, so the bus can only balance if every node hashes exactly its two children.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from circuits import poseidon2 as p2
from circuits.air import BOUNDARY, EVERY_ROW, Air, Constraint, Interaction, trace_layout
from circuits.expr import Expr, const, main_col
from circuits.field import P
from circuits.hashing import DIGEST_SIZE, DOMAIN_LEAF, DOMAIN_NODE, RATE
from circuits.logup import RangeTable, fill_range_table, range_check

MERKLE_BUS = 1
LIMB_BITS = 16
LIMBS = 4
MAX_LEAVES = 1 << 31
TOP_LIMB_SHIFT = 1 << 15  # top limb + 2^15 must be a 16-bit value too: the top limb is below 2^15


@dataclass(frozen=True)
class Statement:
    """The public statement of a liabilities round."""

    round: str
    assets: tuple[tuple[str, int], ...]  # (symbol, decimals), in leaf order
    leaves: int
    root: tuple[int, int, int, int]
    totals: tuple[int, ...]  # base units, exact integers

    def __post_init__(self):
        n = self.leaves
        if n < 2 or n & (n - 1) or n > MAX_LEAVES:
            raise ValueError(f"leaf count {n} must be a power of two in [2, 2^31]")
        if not self.assets or len(self.totals) != len(self.assets):
            raise ValueError("one total per asset, at least one asset")
        if any(not 0 <= t < n << 63 for t in self.totals):
            raise ValueError("a total is negative or larger than N * 2^63")
        if len(self.root) != DIGEST_SIZE or any(not 0 <= x < P for x in self.root):
            raise ValueError("the root is 4 canonical field elements")

    def encode(self) -> bytes:
        parts = [struct.pack("<I", len(self.round.encode())), self.round.encode(),
                 struct.pack("<IQ", len(self.assets), self.leaves)]
        for (symbol, decimals), total in zip(self.assets, self.totals):
            parts += [struct.pack("<I", len(symbol.encode())), symbol.encode(), struct.pack("<B", decimals),
                      total.to_bytes(16, "little")]
        parts += [struct.pack("<4Q", *self.root)]
        return b"".join(parts)


@dataclass
class Witness:
    """The private leaves in tree order (already shuffled and padded): idc (N, 4) and balances (N, A)."""

    idc: np.ndarray
    balances: np.ndarray


def exact_totals(balances: np.ndarray) -> tuple[int, ...]:
    """Per-asset column sums of (N, A) uint64 balances below 2^63 as exact ints: summed in 32-bit halves, so no
    uint64 sum can wrap (N <= 2^32)."""
    balances = np.asarray(balances, dtype=np.uint64)
    low = (balances & np.uint64(0xFFFF_FFFF)).sum(axis=0, dtype=np.uint64)
    high = (balances >> np.uint64(32)).sum(axis=0, dtype=np.uint64)
    return tuple((int(h) << 32) + int(lo) for h, lo in zip(high, low))


class _Columns:
    """Column indices of the main trace."""

    def __init__(self, chunks: int, assets: int, range_segments: int):
        counter = iter(range(10**6))

        def take(k):
            return [next(counter) for _ in range(k)]

        self.state = take(p2.WIDTH)
        self.full = [take(p2.WIDTH) for _ in range(p2.FULL_ROUNDS)]
        self.partial = take(p2.PARTIAL_ROUNDS)
        self.limbs = [take(LIMBS) for _ in range(RATE)]
        self.leaf_chunk = take(chunks)
        self.node, self.root, self.totals, self.heap_id = take(4)
        self.acc_lo = take(assets)
        self.acc_hi = take(assets)
        self.range_counter = next(counter)
        self.range_multiplicities = take(range_segments)
        self.width = next(counter)


def permutation(state: list, full: list[list], partial: list) -> tuple[list[tuple[str, Expr, Expr]], list]:
    """The permutation over a row: every S-box as (name, output column, input expression), and the output lanes
    as expressions of the input lanes and S-box output columns (the linear layers cost no columns)."""
    sboxes = []
    state = p2.external_linear_layer(state)
    for r in range(p2.FULL_ROUNDS):
        if r == p2.HALF_FULL_ROUNDS:
            for i in range(p2.PARTIAL_ROUNDS):
                sboxes.append((f"partial round {i} S-box", partial[i], state[0] + p2.INTERNAL_ROUND_CONSTANTS[i]))
                state = p2.internal_linear_layer([partial[i]] + state[1:])
        for lane in range(p2.WIDTH):
            sboxes.append((f"full round {r} lane {lane} S-box", full[r][lane],
                           state[lane] + p2.EXTERNAL_ROUND_CONSTANTS[r][lane]))
        state = p2.external_linear_layer(full[r])
    return sboxes, state


class SolvencyAir(Air):
    max_degree = 7

    def __init__(self, statement: Statement, zk_rows: int):
        self.statement = statement
        self.name = "por/solvency/1"
        n, a = statement.leaves, len(statement.assets)
        self.assets = a
        self.chunks = -(-(DIGEST_SIZE + a) // RATE)
        self.total_rows = -(-a // RATE)
        self.leaf_rows = n * self.chunks
        self.root_row = self.leaf_rows + n - 2
        min_rows = self.leaf_rows + (n - 1) + self.total_rows
        self.trace_length, self.active_rows = trace_layout(max(min_rows, RangeTable.MIN_ROWS), zk_rows)
        self.first_total_row = self.active_rows - self.total_rows
        segments = RangeTable.segments_for(self.active_rows)
        self.cols = _Columns(self.chunks, a, segments)
        self.main_width = self.cols.width
        self.table = RangeTable(self.cols.range_counter, tuple(self.cols.range_multiplicities))

    # -- where each asset lives ----------------------------------------------------------------------------------
    def asset_slot(self, j: int) -> tuple[int, int]:
        """(leaf chunk, lane) holding asset j's balance."""
        return divmod(DIGEST_SIZE + j, RATE)

    def total_slot(self, j: int) -> tuple[int, int]:
        """(row, lane) of asset j on the totals rows."""
        return self.first_total_row + j // RATE, j % RATE

    # -- expressions -----------------------------------------------------------------------------------------------
    def _exprs(self, offset: int = 0):
        c = self.cols
        col = lambda i: main_col(i, offset)  # noqa: E731
        state = [col(i) for i in c.state]
        full = [[col(i) for i in rnd] for rnd in c.full]
        partial = [col(i) for i in c.partial]
        return state, full, partial

    def _lane_multiplicity(self, lane: int, offset: int = 0) -> Expr:
        """1 where the lane holds a value to range-check: balances on leaf rows, totals rows."""
        c = self.cols
        m = main_col(c.totals, offset)
        for k in range(self.chunks):
            if k > 0 or lane >= DIGEST_SIZE:
                m = m + main_col(c.leaf_chunk[k], offset)
        return m

    def _limbs(self, lane: int, offset: int = 0) -> list[Expr]:
        return [main_col(i, offset) for i in self.cols.limbs[lane]]

    def constraints(self) -> list[Constraint]:
        c, s = self.cols, self.statement
        n = s.leaves
        cur, nxt = self._exprs(0), self._exprs(1)
        state, state1 = cur[0], nxt[0]
        sboxes, out = permutation(*cur)
        lc = [main_col(i) for i in c.leaf_chunk]
        lc1 = [main_col(i, 1) for i in c.leaf_chunk]
        node, node1 = main_col(c.node), main_col(c.node, 1)
        root, totals = main_col(c.root), main_col(c.totals)
        heap, heap1 = main_col(c.heap_id), main_col(c.heap_id, 1)
        cs = [Constraint(name, column - x ** 7, EVERY_ROW) for name, column, x in sboxes]

        # Row types: boolean, exclusive, in the fixed order leaf chunks -> nodes -> (filler, totals).
        flags = lc + [node, totals]
        any_flag = sum(flags[1:], flags[0])
        for name, f in zip([f"lc_{k}" for k in range(self.chunks)] + ["node", "totals"], flags):
            cs.append(Constraint(f"{name} is boolean", f * (f - 1), EVERY_ROW))
        cs.append(Constraint("row types are exclusive", any_flag * (any_flag - 1), EVERY_ROW))
        cs.append(Constraint("root is boolean", root * (root - 1), EVERY_ROW))
        cs.append(Constraint("root is a node", root * (1 - node), EVERY_ROW))
        last = self.chunks - 1
        for k in range(last):
            cs.append(Constraint(f"lc_{k} is followed by lc_{k + 1}", lc[k] * (1 - lc1[k + 1])))
            cs.append(Constraint(f"lc_{k + 1} follows lc_{k}", lc1[k + 1] * (1 - lc[k])))
        cs.append(Constraint("a leaf's last chunk is followed by a leaf or a node", lc[last] * (1 - lc1[0] - node1)))
        cs.append(Constraint("a leaf starts after a leaf", lc1[0] * (1 - lc[last])))
        cs.append(Constraint("a node follows a node or a leaf", node1 * (1 - node - lc[last])))
        cs.append(Constraint("the trace starts with a leaf", lc[0] - 1, BOUNDARY, 0))
        for k in range(1, self.chunks):
            cs.append(Constraint(f"the trace does not start with lc_{k}", lc[k], BOUNDARY, 0))
        cs.append(Constraint("nodes start after the last leaf", node - 1, BOUNDARY, self.leaf_rows))
        cs.append(Constraint("the root row is a node", node - 1, BOUNDARY, self.root_row))
        cs.append(Constraint("the root row is the root", root - 1, BOUNDARY, self.root_row))
        for t in range(self.total_rows):
            cs.append(Constraint(f"totals row {t}", totals - 1, BOUNDARY, self.first_total_row + t))

        # Heap ids: leaves N, N+1, ..., nodes N-1 down to 1.
        continuing = sum(lc1[1:], const(0))
        cs.append(Constraint("first leaf id is N", heap - n, BOUNDARY, 0))
        cs.append(Constraint("leaf ids count up", lc1[0] * (heap1 - heap - 1)))
        cs.append(Constraint("a leaf keeps its id", continuing * (heap1 - heap)))
        cs.append(Constraint("first node id is N-1", heap - (n - 1), BOUNDARY, self.leaf_rows))
        cs.append(Constraint("node ids count down", node * node1 * (heap1 - heap + 1)))
        cs.append(Constraint("the root has id 1", heap - 1, BOUNDARY, self.root_row))
        for i in range(DIGEST_SIZE):
            cs.append(Constraint(f"root element {i}", out[i] - s.root[i], BOUNDARY, self.root_row))

        # Sponge framing: capacity initialised per domain, carried between a leaf's chunks, zero padding.
        capacity = RATE
        for name, flag, domain, length in (("leaf", lc[0], DOMAIN_LEAF, DIGEST_SIZE + self.assets),
                                           ("node", node, DOMAIN_NODE, 2 * DIGEST_SIZE)):
            for i, value in enumerate([domain, length, 0, 0]):
                cs.append(Constraint(f"{name} capacity {i}", flag * (state[capacity + i] - value), EVERY_ROW))
        for i in range(p2.WIDTH - RATE):
            cs.append(Constraint(f"leaf capacity {i} carries over", continuing * (state1[capacity + i] - out[capacity + i])))
        used_in_last = DIGEST_SIZE + self.assets - RATE * last
        for lane in range(used_in_last, RATE):
            cs.append(Constraint(f"padding lane {lane} is zero", lc[last] * state[lane], EVERY_ROW))

        # Balances: limb decomposition wherever a lane is range-checked.
        for lane in range(RATE):
            limbs = self._limbs(lane)
            value = sum((limb * (1 << (LIMB_BITS * t)) for t, limb in enumerate(limbs[1:], 1)), limbs[0])
            cs.append(Constraint(f"lane {lane} is its limbs", self._lane_multiplicity(lane) * (state[lane] - value),
                                 EVERY_ROW))

        # Totals: per asset, low-32 and high-31 bit accumulators, matched to the public total on a totals row.
        for j, total in enumerate(s.totals):
            chunk, lane = self.asset_slot(j)
            limbs, limbs1 = self._limbs(lane), self._limbs(lane, 1)
            lo, hi = limbs[0] + limbs[1] * (1 << 16), limbs[2] + limbs[3] * (1 << 16)
            lo1, hi1 = limbs1[0] + limbs1[1] * (1 << 16), limbs1[2] + limbs1[3] * (1 << 16)
            acc_lo, acc_hi = main_col(c.acc_lo[j]), main_col(c.acc_hi[j])
            acc_lo1, acc_hi1 = main_col(c.acc_lo[j], 1), main_col(c.acc_hi[j], 1)
            cs.append(Constraint(f"{j}: low sum starts", acc_lo - lc[chunk] * lo, BOUNDARY, 0))
            cs.append(Constraint(f"{j}: high sum starts", acc_hi - lc[chunk] * hi, BOUNDARY, 0))
            cs.append(Constraint(f"{j}: low sum accumulates", acc_lo1 - acc_lo - lc1[chunk] * lo1))
            cs.append(Constraint(f"{j}: high sum accumulates", acc_hi1 - acc_hi - lc1[chunk] * hi1))
            row, total_lane = self.total_slot(j)
            t_limbs = self._limbs(total_lane)
            q = t_limbs[2] + t_limbs[3] * (1 << 16)
            cs.append(Constraint(f"{j}: total's limb 0 is zero", t_limbs[0], BOUNDARY, row))
            cs.append(Constraint(f"{j}: total's limb 1 is zero", t_limbs[1], BOUNDARY, row))
            cs.append(Constraint(f"{j}: low sum matches the total",
                                 acc_lo - state[total_lane] - (total % (1 << 32)), BOUNDARY, row))
            cs.append(Constraint(f"{j}: high sum matches the total", acc_hi + q - (total >> 32), BOUNDARY, row))
        return cs + self.table.constraints()

    def interactions(self) -> list[Interaction]:
        c = self.cols
        cur = self._exprs(0)
        _, out = permutation(*cur)
        state = cur[0]
        node, root, heap = main_col(c.node), main_col(c.root), main_col(c.heap_id)
        last_chunk = main_col(c.leaf_chunk[self.chunks - 1])
        result = []
        for lane in range(RATE):
            m = self._lane_multiplicity(lane)
            limbs = self._limbs(lane)
            result += [range_check(limb, m) for limb in limbs]
            result.append(range_check(limbs[-1] + TOP_LIMB_SHIFT, m))
        result += [
            Interaction(MERKLE_BUS, last_chunk, (*out[:DIGEST_SIZE], heap)),
            Interaction(MERKLE_BUS, -node, (*state[:DIGEST_SIZE], heap * 2)),
            Interaction(MERKLE_BUS, -node, (*state[DIGEST_SIZE:RATE], heap * 2 + 1)),
            Interaction(MERKLE_BUS, node - root, (*out[:DIGEST_SIZE], heap)),
        ]
        return result + self.table.interactions()

    def public_inputs(self) -> bytes:
        return self.statement.encode()

    # -- the prover's trace ------------------------------------------------------------------------------------------
    def build_main_trace(self, witness: Witness) -> np.ndarray:
        s, c = self.statement, self.cols
        n, a, chunks = s.leaves, self.assets, self.chunks
        idc = np.asarray(witness.idc, dtype=np.uint64)
        balances = np.asarray(witness.balances, dtype=np.uint64)
        if idc.shape != (n, DIGEST_SIZE) or balances.shape != (n, a):
            raise ValueError("witness shapes do not match the statement")
        if (balances >= np.uint64(1 << 63)).any():
            raise ValueError("a balance is not below 2^63")
        trace = np.zeros((self.main_width, self.active_rows), dtype=np.uint64)
        states = np.zeros((self.active_rows, p2.WIDTH), dtype=np.uint64)

        # Leaf sponges, chunk by chunk for all leaves at once.
        message = np.zeros((n, chunks * RATE), dtype=np.uint64)
        message[:, :DIGEST_SIZE] = idc
        message[:, DIGEST_SIZE:DIGEST_SIZE + a] = balances
        capacity = np.tile(np.array([DOMAIN_LEAF, DIGEST_SIZE + a, 0, 0], dtype=np.uint64), (n, 1))
        for k in range(chunks):
            rows = np.arange(n) * chunks + k
            states[rows, :RATE] = message[:, k * RATE:(k + 1) * RATE]
            states[rows, RATE:] = capacity
            leaf_outputs = p2.permute_batch(states[rows])
            capacity = leaf_outputs[:, RATE:]
            trace[c.leaf_chunk[k], rows] = 1
        trace[c.heap_id, :self.leaf_rows] = np.repeat(np.arange(n, 2 * n, dtype=np.uint64), chunks)

        # Tree nodes, level by level from the bottom; node k sits at row leaf_rows + (N - 1 - k).
        digests = np.zeros((2 * n, DIGEST_SIZE), dtype=np.uint64)
        digests[n:] = leaf_outputs[:, :DIGEST_SIZE]
        level = n // 2
        while level >= 1:
            ids = np.arange(level, 2 * level)
            rows = self.leaf_rows + (n - 1 - ids)
            states[rows, :DIGEST_SIZE] = digests[2 * ids]
            states[rows, DIGEST_SIZE:RATE] = digests[2 * ids + 1]
            states[rows, RATE:] = np.array([DOMAIN_NODE, 2 * DIGEST_SIZE, 0, 0], dtype=np.uint64)
            digests[ids] = p2.permute_batch(states[rows])[:, :DIGEST_SIZE]
            trace[c.node, rows] = 1
            trace[c.heap_id, rows] = ids
            level //= 2
        trace[c.root, self.root_row] = 1
        if tuple(int(x) for x in digests[1]) != tuple(s.root):
            raise ValueError("the leaves do not hash to the statement's root")

        # Totals rows: lane = 2^32 * q for each asset; the accumulators' final values fix q.
        lo = (balances & np.uint64(0xFFFF_FFFF)).astype(np.uint64)
        hi = (balances >> np.uint64(32)).astype(np.uint64)
        for j, total in enumerate(s.totals):
            sum_lo, sum_hi = int(lo[:, j].sum(dtype=np.uint64)), int(hi[:, j].sum(dtype=np.uint64))
            if sum_lo + (sum_hi << 32) != total:
                raise ValueError(f"asset {s.assets[j][0]}: balances sum to {sum_lo + (sum_hi << 32)}, not {total}")
            row, lane = self.total_slot(j)
            states[row, lane] = (sum_lo >> 32) << 32

        # Every permutation's S-box outputs.
        _, full, partial = p2.permute_batch_with_sboxes(states)
        trace[c.state] = states.T
        for r in range(p2.FULL_ROUNDS):
            trace[c.full[r]] = full[:, r, :].T
        trace[c.partial] = partial.T
        trace[c.totals, self.first_total_row:] = 1

        # Limbs of every range-checked lane; accumulators.
        checked = np.zeros((RATE, self.active_rows), dtype=bool)
        leaf_rows = np.arange(self.leaf_rows)
        for lane in range(RATE):
            mask = checked[lane]
            mask[self.first_total_row:] = True
            mask[leaf_rows] = (leaf_rows % chunks != 0) | (lane >= DIGEST_SIZE)
            values = np.where(mask, trace[c.state[lane]], np.uint64(0))
            for t in range(LIMBS):
                trace[c.limbs[lane][t]] = (values >> np.uint64(LIMB_BITS * t)) & np.uint64(0xFFFF)
        for j in range(a):
            chunk, lane = self.asset_slot(j)
            rows = np.arange(n) * chunks + chunk
            step_lo = np.zeros(self.active_rows, dtype=np.uint64)
            step_hi = np.zeros(self.active_rows, dtype=np.uint64)
            step_lo[rows], step_hi[rows] = lo[:, j], hi[:, j]
            trace[c.acc_lo[j]] = np.cumsum(step_lo, dtype=np.uint64)
            trace[c.acc_hi[j]] = np.cumsum(step_hi, dtype=np.uint64)

        looked_up = []
        for lane in range(RATE):
            limbs = trace[c.limbs[lane]][:, checked[lane]]
            looked_up += [limbs.reshape(-1), limbs[-1] + TOP_LIMB_SHIFT]
        fill_range_table(trace, self.table, np.concatenate(looked_up))
        return trace
