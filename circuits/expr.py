"""Symbolic constraint expressions, written once and evaluated two ways.

An AIR builds its constraints from `Expr` nodes with ordinary operators (`a * b - c`). The prover evaluates
them over whole arrays of low-degree-extension values; the verifier evaluates the very same nodes at one
out-of-domain point in the extension field. Degrees are computed from the expression itself, so the declared
maximum degree of an AIR is checked rather than trusted.

Leaves: main trace cells (base field), auxiliary cells (extension field), periodic columns (base field),
verifier challenges (extension field), constants, and public values (base field: the AIR's public inputs as
elements, `Air.public_values`; resolved to constants by `with_public_values` for the prover and the native
verifier, kept symbolic by the recursion's verifier circuit, where they are wires). A cell is addressed by column and row offset
(0 = this row, 1 = the next row).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from circuits.field import P

MAIN, AUX, PERIODIC, CHALLENGE, CONST, PUBLIC = "main", "aux", "periodic", "challenge", "const", "public"
LEAVES = (MAIN, AUX, PERIODIC, CHALLENGE, CONST, PUBLIC)
ADD, SUB, MUL, NEG = "add", "sub", "mul", "neg"


class Expr:
    """A node of an expression DAG. Nodes are immutable; shared sub-expressions are evaluated once."""

    __slots__ = ("op", "args", "degree", "is_ext", "__weakref__")

    def __init__(self, op: str, args: tuple, degree: int, is_ext: bool):
        self.op = op
        self.args = args
        self.degree = degree
        self.is_ext = is_ext

    # -- construction --------------------------------------------------------------------------------------
    def __add__(self, other):
        return _binary(ADD, self, other)

    def __radd__(self, other):
        return _binary(ADD, other, self)

    def __sub__(self, other):
        return _binary(SUB, self, other)

    def __rsub__(self, other):
        return _binary(SUB, other, self)

    def __mul__(self, other):
        return _binary(MUL, self, other)

    def __rmul__(self, other):
        return _binary(MUL, other, self)

    def __neg__(self):
        if self.op == CONST:
            return const(-self.args[0])
        return Expr(NEG, (self,), self.degree, self.is_ext)

    def __pow__(self, exponent: int):
        if not isinstance(exponent, int) or exponent < 1:
            raise ValueError("Expr powers must be positive integers")
        result, base = None, self
        while exponent:
            if exponent & 1:
                result = base if result is None else result * base
            exponent >>= 1
            if exponent:
                base = base * base
        return result

    def __repr__(self):
        if self.op in (MAIN, AUX):
            col, offset = self.args
            return f"{self.op}[{col}]{'+1' if offset else ''}"
        if self.op in (PERIODIC, CHALLENGE, CONST, PUBLIC):
            return f"{self.op}({self.args[0]})"
        return f"{self.op}({', '.join(map(repr, self.args))})"


def const(value: int) -> Expr:
    return Expr(CONST, (value % P,), 0, False)


def main_col(column: int, offset: int = 0) -> Expr:
    return Expr(MAIN, (column, offset), 1, False)


def aux_col(column: int, offset: int = 0) -> Expr:
    return Expr(AUX, (column, offset), 1, True)


def periodic(index: int) -> Expr:
    # A periodic column's polynomial has degree below the trace length, like a trace column's.
    return Expr(PERIODIC, (index,), 1, False)


def challenge(index: int) -> Expr:
    return Expr(CHALLENGE, (index,), 0, True)


def public_value(index: int) -> Expr:
    """The AIR's public value `index` (a base element, degree 0 like a constant)."""
    return Expr(PUBLIC, (index,), 0, False)


def _lift(x) -> Expr:
    if isinstance(x, Expr):
        return x
    if isinstance(x, int):
        return const(x)
    raise TypeError(f"cannot use {type(x).__name__} in a constraint expression")


def _binary(op: str, a, b) -> Expr:
    a, b = _lift(a), _lift(b)
    if a.op == CONST and b.op == CONST:  # fold constants so the evaluators never see int-int operations
        x, y = a.args[0], b.args[0]
        return const(x + y if op == ADD else x - y if op == SUB else x * y)
    if op == MUL:
        if (a.op == CONST and a.args[0] == 1) or (b.op == CONST and b.args[0] == 0):
            return b
        if (b.op == CONST and b.args[0] == 1) or (a.op == CONST and a.args[0] == 0):
            return a
        degree = a.degree + b.degree
    else:
        if b.op == CONST and b.args[0] == 0:
            return a
        if op == ADD and a.op == CONST and a.args[0] == 0:
            return b
        degree = max(a.degree, b.degree)
    return Expr(op, (a, b), degree, a.is_ext or b.is_ext)


def topological_order(roots: Sequence[Expr]) -> list[Expr]:
    """Every node reachable from `roots`, children before parents, each once (iterative: expressions get deep)."""
    order, seen = [], set()
    for root in roots:
        stack = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if id(node) in seen:
                continue
            if expanded or node.op in LEAVES:
                seen.add(id(node))
                order.append(node)
            else:
                stack.append((node, True))
                stack.extend((child, False) for child in node.args if id(child) not in seen)
    return order


def main_columns(roots: Sequence[Expr]) -> list[int]:
    """The main trace columns `roots` read, in order."""
    return sorted({node.args[0] for node in topological_order(roots) if node.op == MAIN})


def with_main_columns(roots: Sequence[Expr], mapping: dict[int, int]) -> list[Expr]:
    """`roots` reading main column mapping[c] wherever they read column c, the DAG otherwise the same (shared
    nodes stay shared): to evaluate them over an array holding only the columns they read."""
    new: dict[int, Expr] = {}
    for node in topological_order(roots):
        if node.op == MAIN:
            new[id(node)] = main_col(mapping[node.args[0]], node.args[1])
        elif node.op in LEAVES:
            new[id(node)] = node
        else:
            new[id(node)] = Expr(node.op, tuple(new[id(child)] for child in node.args), node.degree, node.is_ext)
    return [new[id(root)] for root in roots]


def with_public_values(roots: Sequence[Expr], values: Sequence[int]) -> list[Expr]:
    """`roots` with every public value leaf replaced by its constant (shared nodes stay shared); IndexError if a
    leaf names a value the AIR does not have."""
    new: dict[int, Expr] = {}
    for node in topological_order(roots):
        if node.op == PUBLIC:
            new[id(node)] = const(values[node.args[0]])
        elif node.op in LEAVES:
            new[id(node)] = node
        elif node.op == NEG:
            new[id(node)] = -new[id(node.args[0])]
        else:  # rebuilt through the operators, so constants fold exactly as if the AIR had written them
            new[id(node)] = _binary(node.op, *(new[id(child)] for child in node.args))
    return [new[id(root)] for root in roots]


@dataclass(frozen=True)
class Algebra:
    """How to compute on one kind of value: the prover's arrays or the verifier's scalars."""

    add: Callable
    sub: Callable
    mul: Callable
    neg: Callable


class Program:
    """A compiled set of expressions: the DAG in evaluation order, ready to run on any `Algebra`."""

    def __init__(self, roots: Sequence[Expr]):
        self.roots = list(roots)
        self.order = topological_order(self.roots)
        self._root_indices: dict[int, list[int]] = {}
        for k, root in enumerate(self.roots):
            self._root_indices.setdefault(id(root), []).append(k)
        # After step i, the values of `self._release[i]` are no longer needed by any later node: the prover's
        # intermediate arrays are freed as soon as possible, so a large AIR does not hold thousands at once.
        last_use = {}
        for i, node in enumerate(self.order):
            if node.op in (ADD, SUB, MUL, NEG):
                for child in node.args:
                    last_use[id(child)] = i
        for i, node in enumerate(self.order):  # a value no later node reads is done with once computed
            last_use.setdefault(id(node), i)
        self._release = [[] for _ in self.order]
        for node_id, i in last_use.items():
            self._release[i].append(node_id)

    def evaluate(self, algebra: Algebra, leaf_value: Callable[[Expr], object],
                 consume: Callable[[int, object], None] | None = None) -> list | None:
        """Values of the roots; `leaf_value` maps a leaf node (cell, periodic, challenge, constant) to its value.

        With `consume`, each root's value is handed over as `consume(root index, value)` as soon as it is
        computed and is not kept (nothing is returned): the prover folds thousands of constraint values into a
        few sums without holding them all."""
        values: dict[int, object] = {}
        results: dict[int, object] = {}
        for i, node in enumerate(self.order):
            op = node.op
            if op == ADD:
                v = algebra.add(values[id(node.args[0])], values[id(node.args[1])])
            elif op == SUB:
                v = algebra.sub(values[id(node.args[0])], values[id(node.args[1])])
            elif op == MUL:
                v = algebra.mul(values[id(node.args[0])], values[id(node.args[1])])
            elif op == NEG:
                v = algebra.neg(values[id(node.args[0])])
            else:
                v = leaf_value(node)
            values[id(node)] = v
            for k in self._root_indices.get(id(node), ()):
                if consume is None:
                    results[k] = v
                else:
                    consume(k, v)
            for node_id in self._release[i]:
                del values[node_id]
        return None if consume is not None else [results[k] for k in range(len(self.roots))]
