"""LogUp: lookups and buses as one sum of fractions, over the extension field.

Every interaction contributes m / (beta - fingerprint(bus, values)) per active row, with
fingerprint = bus + gamma*v_0 + gamma^2*v_1 + ...; sends have positive multiplicity, receives negative. If the
total over all active rows is zero, then (except with probability ~ rows*interactions/|F_ext|) every tuple was
sent exactly as often as it was received on each bus.

Auxiliary columns (extension field): helper columns h_j = sum of the fractions of a group of interactions
(grouped so the helper constraint stays within the AIR's maximum degree), then the running sum
S[i] = sum over rows <= i of sum_j h_j. S[0] = sum_j h_j[0], S[i+1] = S[i] + sum_j h_j[i+1], and S = 0 on the last
active row.

The 16-bit range table is a bus too: a counter column T walks 0, 1, ... in steps of 0 or 1 up to its end, and
the table receives each value `T + k*span` (k < columns) with its multiplicity column. Spreading the 2^16 values
over several columns lets a small trace use the table without 2^16 rows.
"""
from __future__ import annotations

from dataclasses import dataclass

from circuits.air import BOUNDARY, EVERY_ROW, TRANSITION, Constraint, Interaction
from circuits.expr import Expr, aux_col, challenge, const, main_col

BETA, GAMMA = 0, 1
NUM_CHALLENGES = 2
RANGE_BUS = 0
RANGE_BITS = 16


def fingerprint(interaction: Interaction, gamma_powers: list[Expr]) -> Expr:
    combined = const(interaction.bus)
    for value, gamma_power in zip(interaction.values, gamma_powers):
        combined = combined + gamma_power * value
    return challenge(BETA) - combined


def gamma_powers(count: int) -> list[Expr]:
    powers, power = [], challenge(GAMMA)
    for _ in range(count):
        powers.append(power)
        power = power * challenge(GAMMA)
    return powers


def _helper_degree(group: list[Interaction]) -> int:
    fp_degrees = [max(v.degree for v in i.values) for i in group]
    numerator = max(i.multiplicity.degree + sum(fp_degrees) - d for i, d in zip(group, fp_degrees))
    return max(1 + sum(fp_degrees), numerator)


def group_interactions(interactions: list[Interaction], max_degree: int) -> list[list[Interaction]]:
    """Greedy grouping: as many interactions per helper column as the degree bound allows."""
    groups: list[list[Interaction]] = []
    for interaction in interactions:
        if groups and _helper_degree(groups[-1] + [interaction]) <= max_degree:
            groups[-1].append(interaction)
        else:
            if _helper_degree([interaction]) > max_degree:
                raise ValueError(f"an interaction on bus {interaction.bus} alone exceeds degree {max_degree}")
            groups.append([interaction])
    return groups


@dataclass
class LogUpLayout:
    """The auxiliary columns LogUp adds to an AIR, and their constraints."""

    groups: list[list[Interaction]]
    max_tuple: int

    @classmethod
    def of(cls, interactions: list[Interaction], max_degree: int) -> "LogUpLayout":
        return cls(group_interactions(interactions, max_degree), max((len(i.values) for i in interactions), default=0))

    @property
    def aux_width(self) -> int:
        return len(self.groups) + 1 if self.groups else 0

    @property
    def running_sum_column(self) -> int:
        return len(self.groups)

    def constraints(self) -> list[Constraint]:
        if not self.groups:
            return []
        gammas = gamma_powers(self.max_tuple)
        out = []
        for j, group in enumerate(self.groups):
            fps = [fingerprint(i, gammas) for i in group]
            # h * prod(fp) = sum_k m_k * prod_{l != k} fp_l, the products "all but k" from prefix and suffix
            # products: 3g multiplications instead of g^2.
            prefix, suffix = [const(1)], [const(1)]
            for fp in fps:
                prefix.append(prefix[-1] * fp)
            for fp in reversed(fps):
                suffix.append(suffix[-1] * fp)
            numerator = const(0)
            for k, interaction in enumerate(group):
                numerator = numerator + interaction.multiplicity * (prefix[k] * suffix[len(fps) - 1 - k])
            out.append(Constraint(f"logup helper {j}", aux_col(j) * prefix[-1] - numerator, EVERY_ROW))
        s = self.running_sum_column

        def row_sum(offset: int) -> Expr:
            total = aux_col(0, offset)
            for j in range(1, len(self.groups)):
                total = total + aux_col(j, offset)
            return total

        out.append(Constraint("logup sum starts", aux_col(s) - row_sum(0), BOUNDARY, 0))
        out.append(Constraint("logup sum accumulates", aux_col(s, 1) - aux_col(s) - row_sum(1), TRANSITION))
        out.append(Constraint("logup sum is zero", aux_col(s), BOUNDARY, -1))
        return out


@dataclass(frozen=True)
class RangeTable:
    """Main-trace columns holding the 16-bit range table: a counter and one multiplicity column per segment."""

    counter_column: int
    multiplicity_columns: tuple[int, ...]

    MAX_SEGMENTS = 16
    MIN_ROWS = (1 << RANGE_BITS) // MAX_SEGMENTS  # an AIR with a range table needs at least this many rows

    @staticmethod
    def segments_for(active_rows: int) -> int:
        """Table columns needed so that the counter's span (2^16 / segments) fits in the active rows."""
        if active_rows < RangeTable.MIN_ROWS:
            raise ValueError(f"a range table needs {RangeTable.MIN_ROWS} active rows, got {active_rows}")
        segments = 1
        while (1 << RANGE_BITS) // segments > active_rows:
            segments *= 2
        return segments

    @property
    def span(self) -> int:
        return (1 << RANGE_BITS) // len(self.multiplicity_columns)

    def constraints(self) -> list[Constraint]:
        t, t_next = main_col(self.counter_column), main_col(self.counter_column, 1)
        step = t_next - t
        return [
            Constraint("range counter starts at 0", t, BOUNDARY, 0),
            Constraint("range counter steps by 0 or 1", step * (step - 1), TRANSITION),
            Constraint("range counter ends at its span", t - (self.span - 1), BOUNDARY, -1),
        ]

    def interactions(self) -> list[Interaction]:
        t = main_col(self.counter_column)
        return [
            Interaction(RANGE_BUS, -main_col(m), (t + k * self.span,))
            for k, m in enumerate(self.multiplicity_columns)
        ]


def range_check(value: Expr, selector: Expr | int = 1) -> Interaction:
    """Look `value` up in the 16-bit range table (on rows where `selector` is 1)."""
    return Interaction(RANGE_BUS, selector if isinstance(selector, Expr) else const(selector), (value,))
