"""Tests mirror the packages (circuits/, verifier/, prover/engine|exchange|reserves); the helpers they share
(toy_airs, page_fixtures, public_fixtures, paths) stay in this folder, which pytest puts on sys.path."""

import galois
import pytest

from circuits.field import P


@pytest.fixture(scope="session")
def gf():
    """Goldilocks as galois's field: the oracle for field and NTT code."""
    return galois.GF(P)


@pytest.fixture(scope="session")
def gf2(gf):
    """F_p[X]/(X^2 - 7); galois's integer for a + bX is a + b*p."""
    return galois.GF(P**2, irreducible_poly=galois.Poly([1, 0, P - 7], field=gf), verify=False)
