"""Security figures (SPEC §2): both conjectured and proven, every term, and the presets meet the minimum on every
conjectured term at the sizes the toolkit proves."""
import math

import pytest

from circuits.solvency import SolvencyAir, Statement
from verifier.stark.params import load_preset
from verifier.stark.protocol import Protocol
from verifier.stark.security import Shape, security

STANDARD = load_preset("standard")


def solvency_security(leaves: int, assets: int = 22, params=STANDARD):
    statement = Statement("r", tuple((f"A{i}", 8) for i in range(assets)), leaves, (0, 0, 0, 0), (0,) * assets)
    return Protocol(SolvencyAir(statement, params.zk_rows), params).security


@pytest.mark.parametrize("preset", ["standard", "compact"])
@pytest.mark.parametrize("leaves", [2, 1 << 12, 1 << 16, 1 << 18])
def test_every_conjectured_term_of_the_production_presets_is_at_least_100_bits(preset, leaves):
    s = solvency_security(leaves, params=load_preset(preset))
    assert set(s.conjectured) == {"FRI queries", "out-of-domain point (DEEP)", "composition challenge",
                                  "LogUp and buses", "commitment hash"}
    assert min(s.conjectured.values()) >= 100 and s.conjectured_bits >= 100


def test_the_logup_term_is_rows_times_interactions_over_the_field():
    """At 2^16 leaves the trace has 2^19 rows and 71 interactions per row: the LogUp term is what caps the
    conjectured figure (about 102.9)."""
    s = solvency_security(1 << 16)
    assert 102 <= s.conjectured["LogUp and buses"] < 103 and s.conjectured_bits == 102
    assert solvency_security(1 << 18).conjectured["LogUp and buses"] < s.conjectured["LogUp and buses"]


def test_the_proven_figure_is_below_the_conjectured_one_and_names_its_terms():
    s = solvency_security(1 << 16)
    assert {"composition (ALI)", "out-of-domain point (DEEP)", "DEEP batching", "FRI folding",
            "FRI queries"} <= set(s.proven)
    assert 40 < s.proven_bits < s.conjectured_bits
    assert s.proven_combined <= min(v for k, v in s.proven.items() if k not in ("LogUp and buses", "commitment hash"))


def test_proven_query_term_follows_the_johnson_bound():
    """alpha^q with alpha -> sqrt(rho) as m grows: more queries or grinding always help, never hurt."""
    shape = Shape(1 << 10, 1 << 13, 100, 7, 40, 200, (1 << 13, 1 << 10))
    few, many = security(3, 20, 0, 3, shape), security(3, 40, 0, 3, shape)
    assert many.proven["FRI queries"] > few.proven["FRI queries"]
    assert security(3, 20, 10, 3, shape).proven["FRI queries"] == pytest.approx(few.proven["FRI queries"] + 10,
                                                                                abs=1.5)
    rho = ((1 << 10) + 2) / (1 << 13)
    assert few.proven["FRI queries"] <= -20 * math.log2(math.sqrt(rho)) + 1e-9


def test_the_test_preset_is_plainly_insecure():
    s = solvency_security(1 << 10, params=load_preset("test"))
    assert s.conjectured_bits < 30 and s.proven_bits < s.conjectured_bits
