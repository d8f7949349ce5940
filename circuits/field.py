"""Goldilocks field p = 2^64 - 2^32 + 1 and its quadratic extension F_p[X]/(X^2 - 7), as Python-int scalars.

The verifier works only with these (clarity over speed); the prover's array kernels over the same field live in
`prover.engine.field_arrays`.
"""

P = 0xFFFF_FFFF_0000_0001
TWO_ADICITY = 32
GENERATOR = 7  # generates the whole multiplicative group; also the LDE coset shift
EXT_NONRESIDUE = 7  # X^2 = 7 in the extension field (7 is not a square mod p)



# ---------------------------------------------------------------------------------------------------------------
# Python-int scalars


def inv(a: int) -> int:
    if a % P == 0:
        raise ZeroDivisionError("inverse of zero in the Goldilocks field")
    return pow(a, P - 2, P)


def root_of_unity(n: int) -> int:
    """A primitive n-th root of unity, n a power of two up to 2^32 (fixed choice: GENERATOR^((p-1)/n))."""
    if n <= 0 or n & (n - 1) or n > 1 << TWO_ADICITY:
        raise ValueError(f"no root of unity of order {n}")
    return pow(GENERATOR, (P - 1) // n, P)


class Ext:
    """An element a + b*X of F_p[X]/(X^2 - 7), immutable, mixing freely with Python ints (base elements)."""

    __slots__ = ("a", "b")

    def __init__(self, a: int, b: int = 0):
        self.a = a % P
        self.b = b % P

    @staticmethod
    def lift(x) -> "Ext":
        return x if isinstance(x, Ext) else Ext(x)

    def __add__(self, o):
        if isinstance(o, Ext):
            return Ext(self.a + o.a, self.b + o.b)
        return Ext(self.a + o, self.b)

    __radd__ = __add__

    def __sub__(self, o):
        if isinstance(o, Ext):
            return Ext(self.a - o.a, self.b - o.b)
        return Ext(self.a - o, self.b)

    def __rsub__(self, o):
        return Ext(o - self.a, -self.b)

    def __neg__(self):
        return Ext(-self.a, -self.b)

    def __mul__(self, o):
        if isinstance(o, Ext):
            return Ext(self.a * o.a + EXT_NONRESIDUE * self.b * o.b, self.a * o.b + self.b * o.a)
        return Ext(self.a * o, self.b * o)

    __rmul__ = __mul__

    def __pow__(self, e: int):
        result, base = Ext(1), self
        if e < 0:
            base, e = base.inverse(), -e
        while e:
            if e & 1:
                result = result * base
            base = base * base
            e >>= 1
        return result

    def inverse(self) -> "Ext":
        # (a + bX)^-1 = (a - bX) / (a^2 - 7 b^2); the norm is non-zero for non-zero elements.
        norm = (self.a * self.a - EXT_NONRESIDUE * self.b * self.b) % P
        n_inv = inv(norm)
        return Ext(self.a * n_inv, -self.b * n_inv)

    def __truediv__(self, o):
        return self * Ext.lift(o).inverse()

    def __rtruediv__(self, o):
        return Ext.lift(o) * self.inverse()

    def __eq__(self, o):
        o = Ext.lift(o) if isinstance(o, (int, Ext)) else None
        return o is not None and self.a == o.a and self.b == o.b

    def __hash__(self):
        return hash((self.a, self.b))

    def __repr__(self):
        return f"Ext({self.a}, {self.b})"
