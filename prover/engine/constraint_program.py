"""The constraint quotient's numerator as register-machine code, compiled once per proof from the AIR's own
expressions (circuits.expr) and run by `constraint_vm` over blocks of LDE points; the same machinery computes
LogUp's helper columns and the DEEP composition, with one instruction of their own (an inverse).

Why a register machine: evaluating thousands of expression nodes one numpy call each streams every intermediate
column through memory (about 40% of proving time). Here each node becomes one instruction over a block of a few
hundred points whose registers stay in cache, and the constraint values are folded into their divisor groups
(sum_k alpha^k C_k) as soon as they are computed. Nothing is specific to one AIR or statement, so the one
interpreter kernel is compiled once and cached on disk.

Every value is a base register, an extension register (two lanes), or a scalar known now (constants,
challenges, and whatever is computed from them alone, folded here). An instruction is (op, dst, a, b): a and b
are registers or, for the `*_C` forms, indices into the constants array (extension constants take two).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from circuits.expr import (
    ADD,
    AUX,
    CHALLENGE,
    CONST,
    MAIN,
    MUL,
    NEG,
    PERIODIC,
    SUB,
    Expr,
    topological_order,
)
from circuits.field import Ext, P

# Opcodes. B = base register, E = extension register, C = base constant, X = extension constant.
(LOAD_MAIN, LOAD_AUX, LOAD_PERIODIC,
 B_ADD, B_SUB, B_MUL, B_NEG, B_ADD_C, B_MUL_C, B_RSUB_C,
 E_ADD, E_SUB, E_MUL, E_NEG, E_ADD_B, E_SUB_B, E_RSUB_B, E_MUL_B,
 E_ADD_X, E_MUL_X, E_RSUB_X, B_ADD_X, B_MUL_X, B_RSUB_X,
 ACC_B, ACC_E, ACC_X, E_INV) = range(28)

OPCODE_NAMES = ("LOAD_MAIN LOAD_AUX LOAD_PERIODIC B_ADD B_SUB B_MUL B_NEG B_ADD_C B_MUL_C B_RSUB_C E_ADD E_SUB E_MUL "
                "E_NEG E_ADD_B E_SUB_B E_RSUB_B E_MUL_B E_ADD_X E_MUL_X E_RSUB_X B_ADD_X B_MUL_X B_RSUB_X ACC_B "
                "ACC_E ACC_X E_INV").split()

INV = "inv"  # the prover's own node: LogUp's columns and the DEEP composition divide, no constraint does


def inverse(e: Expr) -> Expr:
    """1 / e, an extension value, for the interpreter only (the verifier's expressions never divide): LogUp's
    fractions m / fingerprint and DEEP's quotients by x - z, computed with the constraints' own machinery."""
    return Expr(INV, (e,), 0, True)


@dataclass(frozen=True)
class ConstraintCode:
    """Instructions (k, 4) int64, the constants they index, and the register counts the interpreter allocates.
    Group accumulators are extension registers 0 .. groups-1."""

    code: np.ndarray
    constants: np.ndarray
    base_registers: int
    ext_registers: int
    groups: int


class _Registers:
    """Free lists of base and extension registers (extension registers 0 .. reserved-1 are the accumulators)."""

    def __init__(self, reserved: int):
        self.count = {"b": 0, "e": reserved}
        self.free = {"b": [], "e": []}

    def take(self, kind: str) -> int:
        if self.free[kind]:
            return self.free[kind].pop()
        self.count[kind] += 1
        return self.count[kind] - 1

    def give(self, kind: str, index: int) -> None:
        self.free[kind].append(index)


def compile_constraints(exprs: list[Expr], groups: list[int], coefficients: list[Ext],
                        challenges: list[Ext]) -> ConstraintCode:
    """Code adding coefficients[k] * exprs[k] into accumulator groups[k], for every k."""
    n_groups = max(groups) + 1 if groups else 0
    regs = _Registers(n_groups)
    constants: list[int] = []
    const_index: dict[tuple, int] = {}
    code: list[tuple[int, int, int, int]] = []

    def constant(value) -> int:
        key = (value.a, value.b) if isinstance(value, Ext) else (value,)
        if key not in const_index:
            const_index[key] = len(constants)
            constants.extend(key)
        return const_index[key]

    order = topological_order(exprs)
    last_use: dict[int, int] = {}
    for i, node in enumerate(order):
        if node.op in (ADD, SUB, MUL, NEG, INV):
            for child in node.args:
                last_use[id(child)] = i
    roots: dict[int, list[int]] = {}
    for k, e in enumerate(exprs):
        roots.setdefault(id(e), []).append(k)

    values: dict[int, tuple[str, object]] = {}  # node id -> ("b"|"e", register) or ("c", int | Ext)
    for i, node in enumerate(order):
        op = node.op
        if op == MAIN:
            value = ("b", regs.take("b"))
            code.append((LOAD_MAIN, value[1], *node.args))
        elif op == AUX:
            value = ("e", regs.take("e"))
            code.append((LOAD_AUX, value[1], *node.args))
        elif op == PERIODIC:
            value = ("b", regs.take("b"))
            code.append((LOAD_PERIODIC, value[1], node.args[0], 0))
        elif op == CONST:
            value = ("c", node.args[0] % P)
        elif op == CHALLENGE:
            value = ("c", challenges[node.args[0]])
        else:
            value = _emit(op, [values[id(child)] for child in node.args], node.is_ext, regs, constant, code)
            for child in node.args:  # operands read for the last time free their registers (after the result
                # took its own: an instruction never writes a register it reads, so its loop vectorizes)
                if last_use.get(id(child)) == i and values[id(child)][0] != "c":
                    regs.give(*values[id(child)])
                    last_use[id(child)] = -1
        values[id(node)] = value
        for k in roots.get(id(node), ()):
            kind, v = value
            if kind == "c":
                code.append((ACC_X, groups[k], constant(coefficients[k] * v), 0))
            else:
                code.append((ACC_B if kind == "b" else ACC_E, groups[k], v, constant(coefficients[k])))
        if last_use.get(id(node), i) <= i and value[0] != "c":
            regs.give(*value)  # a root (or a value nothing reads) is done once folded
    array = np.array(code, dtype=np.int64).reshape(-1, 4)
    return ConstraintCode(array, np.array(constants, dtype=np.uint64), max(1, regs.count["b"]),
                          max(1, regs.count["e"]), n_groups)


def _scalar(op: str, a, b):
    if op == INV:
        return Ext.lift(a).inverse()
    if op == NEG:
        return (-a) % P if isinstance(a, int) else -a
    if isinstance(a, int) and isinstance(b, int):
        return (a + b) % P if op == ADD else (a - b) % P if op == SUB else a * b % P
    a, b = Ext.lift(a), Ext.lift(b)
    return a + b if op == ADD else a - b if op == SUB else a * b


def _emit(op: str, operands, is_ext: bool, regs: _Registers, constant, code) -> tuple[str, object]:
    """Append the instruction computing `op` of `operands` and return where its value lives."""
    if all(kind == "c" for kind, _ in operands):
        return "c", _scalar(op, *(v for _, v in operands) if op not in (NEG, INV) else (operands[0][1], None))
    dst = regs.take("e" if is_ext else "b")
    if op == INV:
        (kind, a), = operands
        if kind != "e":
            raise ValueError("the interpreter inverts extension values only")
        code.append((E_INV, dst, a, 0))
        return "e", dst
    if op == NEG:
        (kind, a), = operands
        code.append((E_NEG if kind == "e" else B_NEG, dst, a, 0))
        return ("e" if is_ext else "b"), dst
    (ka, a), (kb, b) = operands
    if "c" in (ka, kb):
        reg_first = kb == "c"
        (kr, r), c = ((ka, a), b) if reg_first else ((kb, b), a)
        if op == SUB and reg_first:  # r - c = r + (-c)
            op, c = ADD, _scalar(NEG, c, None)
        rsub = op == SUB  # c - r
        if kr == "b" and isinstance(c, int):
            code.append(({ADD: B_ADD_C, MUL: B_MUL_C}.get(op, B_RSUB_C), dst, r, constant(c)))
        elif kr == "b":
            code.append((B_RSUB_X if rsub else {ADD: B_ADD_X, MUL: B_MUL_X}[op], dst, r, constant(Ext.lift(c))))
        else:
            code.append((E_RSUB_X if rsub else {ADD: E_ADD_X, MUL: E_MUL_X}[op], dst, r, constant(Ext.lift(c))))
    elif ka == kb == "b":
        code.append(({ADD: B_ADD, SUB: B_SUB, MUL: B_MUL}[op], dst, a, b))
    elif ka == kb == "e":
        code.append(({ADD: E_ADD, SUB: E_SUB, MUL: E_MUL}[op], dst, a, b))
    elif ka == "e":  # extension (op) base
        code.append(({ADD: E_ADD_B, SUB: E_SUB_B, MUL: E_MUL_B}[op], dst, a, b))
    else:  # base (op) extension
        code.append(({ADD: E_ADD_B, SUB: E_RSUB_B, MUL: E_MUL_B}[op], dst, b, a))
    return ("e" if is_ext else "b"), dst
