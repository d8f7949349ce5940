"""Goldilocks arithmetic on numpy uint64 arrays: numba kernels for the prover's hot loops.

The scalar kernels (`mul64`, `add64`, `sub64`, `reduce128`) can be called from other njit code (NTT, Poseidon2).
Every array kernel expects canonical inputs (< p) and returns canonical outputs. Python-int scalars and the
extension's `Ext` are `circuits.field`'s.
"""
import numba as nb
import numpy as np

from circuits.field import EXT_NONRESIDUE, Ext, P
from prover.engine import threads

_P = np.uint64(P)
_EPS = np.uint64(0xFFFF_FFFF)  # 2^64 mod p = 2^32 - 1
_M32 = np.uint64(0xFFFF_FFFF)
_S32 = np.uint64(32)
_ZERO = np.uint64(0)
_ONE = np.uint64(1)


# ---------------------------------------------------------------------------------------------------------------
# numba scalar kernels on uint64


@nb.njit(nb.uint64(nb.uint64, nb.uint64), inline="always", cache=True)
def add64(a, b):
    s = a + b
    # overflow past 2^64 means the true sum is s + 2^64 = s + EPS (mod p); otherwise reduce once.
    if s < a:
        s += _EPS
    if s >= _P:
        s -= _P
    return s


@nb.njit(nb.uint64(nb.uint64, nb.uint64), inline="always", cache=True)
def sub64(a, b):
    d = a - b
    if a < b:
        d -= _EPS  # borrow: true result is d - 2^64 = d - EPS (mod p)
    return d


@nb.njit(nb.uint64(nb.uint64, nb.uint64), inline="always", cache=True)
def reduce128(lo, hi):
    """(hi * 2^64 + lo) mod p, using 2^64 = 2^32 - 1 and 2^96 = -1 (mod p)."""
    hi_hi = hi >> _S32
    hi_lo = hi & _M32
    t0 = lo - hi_hi
    if lo < hi_hi:
        t0 -= _EPS
    t1 = hi_lo * _EPS
    t2 = t0 + t1
    if t2 < t1:
        t2 += _EPS
    if t2 >= _P:
        t2 -= _P
    return t2


@nb.njit(nb.uint64(nb.uint64, nb.uint64), inline="always", cache=True)
def mul64(a, b):
    a_lo = a & _M32
    a_hi = a >> _S32
    b_lo = b & _M32
    b_hi = b >> _S32
    ll = a_lo * b_lo
    lh = a_lo * b_hi
    hl = a_hi * b_lo
    hh = a_hi * b_hi
    mid = (ll >> _S32) + (lh & _M32) + (hl & _M32)
    lo = (ll & _M32) | (mid << _S32)
    hi = hh + (lh >> _S32) + (hl >> _S32) + (mid >> _S32)
    return reduce128(lo, hi)


@nb.njit(inline="always", cache=True)
def times_seven(x):
    """7x (7 = EXT_NONRESIDUE) by three doublings and a subtraction: cheaper than a multiplication."""
    x2 = add64(x, x)
    x4 = add64(x2, x2)
    return sub64(add64(x4, x4), x)


if EXT_NONRESIDUE != 7:
    raise ValueError("field_arrays multiplies by the extension's non-residue as 7")


@nb.njit(inline="always", cache=True)
def ext_mul64(a0, a1, b0, b1):
    """(a0 + a1 X)(b0 + b1 X) with X^2 = 7, Karatsuba: three multiplications, where the schoolbook product and
    its 7 a1 b1 take five (a sixth of the constraint quotient's multiplications are extension products)."""
    low, high = mul64(a0, b0), mul64(a1, b1)
    cross = mul64(add64(a0, a1), add64(b0, b1))
    return add64(low, times_seven(high)), sub64(sub64(cross, low), high)


@nb.njit(nb.uint64(nb.uint64, nb.uint64), cache=True)
def pow64(a, e):
    result = _ONE
    while e:
        if e & _ONE:
            result = mul64(result, a)
        a = mul64(a, a)
        e >>= _ONE
    return result


# ---------------------------------------------------------------------------------------------------------------
# base-field array kernels (broadcasting is not supported: equal shapes, or an array and a scalar via full())


@nb.njit(nogil=True, cache=True)
def _add_arr(a, b, out, lo, hi):
    for i in range(lo, hi):
        out[i] = add64(a[i], b[i])


@nb.njit(nogil=True, cache=True)
def _sub_arr(a, b, out, lo, hi):
    for i in range(lo, hi):
        out[i] = sub64(a[i], b[i])


@nb.njit(nogil=True, cache=True)
def _mul_arr(a, b, out, lo, hi):
    for i in range(lo, hi):
        out[i] = mul64(a[i], b[i])


@nb.njit(nogil=True, cache=True)
def _mul_scalar_arr(a, s, out, lo, hi):
    for i in range(lo, hi):
        out[i] = mul64(a[i], s)


@nb.njit(nogil=True, cache=True)
def _add_scalar_arr(a, s, out, lo, hi):
    for i in range(lo, hi):
        out[i] = add64(a[i], s)


PER_THREAD = 1 << 15  # elements below which a kernel on prover.engine.threads stays on the calling thread


def _run(kernel, n, *args):
    # serial nogil kernels on the engine's threads, not numba's parallel=True: its parfor passes cost a fresh
    # install seconds of compilation per kernel, for arrays that are mostly small
    threads.run_ranges(kernel, n, *args, min_per_thread=PER_THREAD)


def _binary(kernel, a, b):
    a = np.ascontiguousarray(a, dtype=np.uint64)
    b = np.ascontiguousarray(b, dtype=np.uint64)
    out = np.empty_like(a)
    _run(kernel, a.size, a.reshape(-1), b.reshape(-1), out.reshape(-1))
    return out


def add(a, b):
    return _binary(_add_arr, a, b)


def sub(a, b):
    return _binary(_sub_arr, a, b)


def mul(a, b):
    return _binary(_mul_arr, a, b)


def mul_scalar(a, s: int):
    a = np.ascontiguousarray(a, dtype=np.uint64)
    out = np.empty_like(a)
    _run(_mul_scalar_arr, a.size, a.reshape(-1), np.uint64(s % P), out.reshape(-1))
    return out


def add_scalar(a, s: int):
    a = np.ascontiguousarray(a, dtype=np.uint64)
    out = np.empty_like(a)
    _run(_add_scalar_arr, a.size, a.reshape(-1), np.uint64(s % P), out.reshape(-1))
    return out


def neg(a):
    return sub(np.zeros_like(a, dtype=np.uint64), a)


def from_ints(values) -> np.ndarray:
    """Canonical uint64 array from Python ints (reduced mod p)."""
    return np.array([v % P for v in values], dtype=np.uint64)


INVERSE_LANES = 1024  # independent Montgomery chains of batch_inverse, run side by side


@nb.njit(nogil=True, cache=True)
def _batch_inverse(a, out, lanes):
    """Montgomery's trick in `lanes` interleaved chains (lane j takes a[j], a[j + L], ...): each step of the loop
    over lanes is independent, so it vectorizes, where one chain is a scalar multiplication waiting on the last.
    The lanes' products are inverted by one scalar chain and one exponentiation; a tail shorter than a row of
    lanes goes by the scalar chain too. 3 multiplications per element. A zero element zeroes every output."""
    n = a.size
    lanes = min(lanes, n)
    rows = n // lanes if lanes else 0
    acc = np.ones(lanes + n - rows * lanes, dtype=np.uint64)  # the lanes' running products, then the tail's
    for t in range(rows):
        x, o = a[t * lanes:(t + 1) * lanes], out[t * lanes:(t + 1) * lanes]
        for j in range(lanes):
            o[j] = acc[j]
            acc[j] = mul64(acc[j], x[j])
    for i in range(rows * lanes, n):  # the tail: lanes of one element each
        k = lanes + i - rows * lanes
        out[i] = _ONE
        acc[k] = a[i]
    # 1/acc[k] for every lane, by one scalar chain
    inv = np.empty_like(acc)
    running = _ONE
    for k in range(acc.size):
        inv[k] = running
        running = mul64(running, acc[k])
    running = pow64(running, _P - np.uint64(2))
    for k in range(acc.size - 1, -1, -1):
        inv[k] = mul64(inv[k], running)
        running = mul64(running, acc[k])
    for i in range(rows * lanes, n):
        out[i] = inv[lanes + i - rows * lanes]
    for t in range(rows - 1, -1, -1):
        x, o = a[t * lanes:(t + 1) * lanes], out[t * lanes:(t + 1) * lanes]
        for j in range(lanes):
            o[j] = mul64(o[j], inv[j])
            inv[j] = mul64(inv[j], x[j])


def batch_inverse(a) -> np.ndarray:
    a = np.ascontiguousarray(a, dtype=np.uint64)
    if a.size and not np.all(a):
        raise ZeroDivisionError("batch_inverse: zero element")
    out = np.empty_like(a)
    _batch_inverse(a.reshape(-1), out.reshape(-1), INVERSE_LANES)
    return out


@nb.njit(nogil=True, cache=True)
def _powers(base, start, out, chunk, c_lo, c_hi):
    n = out.size
    for c in range(c_lo, c_hi):
        lo = c * chunk
        hi = min(lo + chunk, n)
        x = mul64(start, pow64(base, np.uint64(lo)))
        for i in range(lo, hi):
            out[i] = x
            x = mul64(x, base)


def powers(base: int, n: int, start: int = 1) -> np.ndarray:
    """[start, start*base, start*base^2, ...] of length n."""
    out = np.empty(n, dtype=np.uint64)
    chunk = 1 << 14
    threads.run_ranges(_powers, (n + chunk - 1) // chunk, np.uint64(base % P), np.uint64(start % P), out, chunk)
    return out


# ---------------------------------------------------------------------------------------------------------------
# extension-field arrays: shape (..., 2), [..., 0] the base part and [..., 1] the X coefficient


@nb.njit(nogil=True, cache=True)
def _ext_mul_arr(a, b, out, lo, hi):
    for i in range(lo, hi):
        out[i, 0], out[i, 1] = ext_mul64(a[i, 0], a[i, 1], b[i, 0], b[i, 1])


@nb.njit(nogil=True, cache=True)
def _ext_mul_base_arr(a, b, out, lo, hi):
    for i in range(lo, hi):
        out[i, 0] = mul64(a[i, 0], b[i])
        out[i, 1] = mul64(a[i, 1], b[i])


def _as_ext(a) -> np.ndarray:
    a = np.ascontiguousarray(a, dtype=np.uint64)
    if a.ndim != 2 or a.shape[1] != 2:
        raise ValueError(f"extension array must have shape (n, 2), got {a.shape}")
    return a


def ext_from_base(a) -> np.ndarray:
    a = np.ascontiguousarray(a, dtype=np.uint64)
    out = np.zeros((a.size, 2), dtype=np.uint64)
    out[:, 0] = a.reshape(-1)
    return out


def ext_mul(a, b) -> np.ndarray:
    a, b = _as_ext(a), _as_ext(b)
    out = np.empty_like(a)
    _run(_ext_mul_arr, a.shape[0], a, b, out)
    return out


def ext_mul_base(a, b) -> np.ndarray:
    """Extension array times base array, elementwise."""
    a = _as_ext(a)
    b = np.ascontiguousarray(b, dtype=np.uint64).reshape(-1)
    out = np.empty_like(a)
    _run(_ext_mul_base_arr, a.shape[0], a, b, out)
    return out


def _repeated(s: Ext, n: int) -> np.ndarray:
    # an extension scalar as an array, so that products by it need no kernels of their own (fewer to compile)
    out = np.empty((n, 2), dtype=np.uint64)
    out[:, 0], out[:, 1] = s.a, s.b
    return out


def ext_mul_scalar(a, s: Ext) -> np.ndarray:
    a = _as_ext(a)
    return ext_mul(a, _repeated(s, a.shape[0]))


def base_mul_ext_scalar(a, s: Ext) -> np.ndarray:
    """Base array times one extension element: an extension array."""
    a = np.ascontiguousarray(a, dtype=np.uint64).reshape(-1)
    return ext_mul_base(_repeated(s, a.size), a)

