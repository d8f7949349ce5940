"""Security figures (SPEC §2): both conjectured and proven, every term, and the presets meet the minimum on every
conjectured term at the sizes the toolkit proves."""
import math

import pytest

from circuits.air import Interaction
from circuits.expr import main_col, periodic
from circuits.margin import MarginAir, MarginStatement, Policy
from circuits.solvency import SolvencyAir, Statement
from prover.exchange.margin_round import secure_shard_leaves
from prover.exchange.round import DEFAULT_SHARD_LEAVES
from tests.toy_airs import BusAir
from verifier.stark.params import load_preset
from verifier.stark.protocol import Protocol
from verifier.stark.security import Shape, composed_bits, security

STANDARD = load_preset("standard")
LOGUP = ("LogUp sum (beta)", "LogUp tuple folding (gamma)")
KINDS = ("loan", "margin", "portfolio")
USD = 10 ** 16
TIERS = ((10_000 * USD, 100), (20_000 * USD, 90), (50_000 * USD, 50))


def solvency_security(leaves: int, assets: int = 22, params=STANDARD):
    statement = Statement("r", tuple((f"A{i}", 8) for i in range(assets)), leaves, (0, 0, 0, 0), (0,) * assets)
    return Protocol(SolvencyAir(statement, params.zk_rows), params).security


def margin_policy(assets: int = 22, kinds=KINDS) -> Policy:
    return Policy(16, (10 ** 6,) * assets, kinds, tuple((TIERS,) * len(kinds) for _ in range(assets)))


def margin_security(leaves: int, params=STANDARD, assets: int = 22, kinds=KINDS):
    statement = MarginStatement("r", tuple((f"T{j}", 8) for j in range(assets)), leaves, (0, 0, 0, 0),
                                (0,) * assets, (0,) * assets, tuple((0,) * len(kinds) for _ in range(assets)),
                                margin_policy(assets, kinds))
    return Protocol(MarginAir(statement, params.zk_rows), params).security


def margin_shard_leaves(params=STANDARD, assets: int = 22, kinds=KINDS) -> int:
    return secure_shard_leaves([(f"T{j}", 8) for j in range(assets)], margin_policy(assets, kinds), params)


@pytest.mark.parametrize("preset", ["standard", "compact"])
@pytest.mark.parametrize("leaves", [2, 1 << 12, 1 << 16, 1 << 17])
def test_every_conjectured_term_of_the_production_presets_is_at_least_100_bits(preset, leaves):
    s = solvency_security(leaves, params=load_preset(preset))
    assert set(s.conjectured) == {"FRI queries", "out-of-domain point (DEEP)", "composition challenge", *LOGUP,
                                  "commitment hash"}
    assert min(s.conjectured.values()) >= 100 and s.conjectured_bits >= 100


@pytest.mark.parametrize("preset", ["standard", "compact"])
@pytest.mark.parametrize("policy", ["plain", "margin"])
@pytest.mark.parametrize("log_leaves", range(16, 21))
def test_every_preset_meets_100_bits_for_plain_and_margin_rounds_of_2_16_to_2_20_leaves(preset, policy, log_leaves):
    """Each proof of a round holds at most a shard's leaves: by default 2^16 for a plain round, and for a margin
    round the largest size whose LogUp terms reach 100 bits (2^13 at 22 assets and three kinds)."""
    params = load_preset(preset)
    shard = DEFAULT_SHARD_LEAVES if policy == "plain" else margin_shard_leaves(params)
    s = (solvency_security if policy == "plain" else margin_security)(min(1 << log_leaves, shard), params=params)
    assert s.conjectured_bits >= 100 and s.logup_combined >= 100


@pytest.mark.parametrize("kinds, leaves", [(KINDS, 1 << 14), (("loan",), 1 << 15)])
def test_margin_rounds_shard_at_the_largest_size_that_meets_100_bits(kinds, leaves):
    assert margin_shard_leaves(kinds=kinds) == leaves
    fits, twice = margin_security(leaves, kinds=kinds), margin_security(2 * leaves, kinds=kinds)
    assert fits.logup_combined >= 100 > twice.logup_combined


def test_a_margin_proof_of_2_15_leaves_falls_short_by_its_logup_terms():
    s = margin_security(1 << 15)
    assert s.conjectured_bits == 99 and min(s.conjectured, key=s.conjectured.get) == LOGUP[1]
    assert 99 < s.logup_combined < 100


def test_the_logup_sum_term_is_rows_times_interactions_over_the_field():
    """At 2^16 leaves the trace has 2^19 rows and 71 interactions per row (97 tuple elements: 65 range checks,
    4 Merkle messages of 5 and 2 sponge messages of 6): the LogUp terms cap the conjectured figure."""
    s = solvency_security(1 << 16)
    assert s.conjectured[LOGUP[0]] == pytest.approx(128 - 19 - math.log2(71))
    assert s.conjectured[LOGUP[1]] == pytest.approx(128 - 19 - math.log2(97))
    assert s.logup_combined == pytest.approx(128 - 19 - math.log2(71 + 97)) and s.conjectured_bits == 101
    assert solvency_security(1 << 18).logup_combined < s.logup_combined


class _PairBusAir(BusAir):
    """BusAir whose messages are pairs (value, value + 1): two tuple elements per interaction."""

    def interactions(self):
        return [Interaction(1, periodic(0), (main_col(0), main_col(0) + 1)),
                Interaction(1, -periodic(0), (main_col(1), main_col(1) + 1))]


def test_the_logup_terms_of_a_toy_air_by_hand():
    """Two interactions of pairs on 128 rows: beta's term 128 - log2(128 * 2) = 120, gamma's 128 - log2(128 * 4)
    = 119, together 128 - log2(128 * 6) = 118.415."""
    params = load_preset("test")
    protocol = Protocol(_PairBusAir(64, 0, params.zk_rows), params)
    assert protocol.trace_length == 128
    s = protocol.security
    assert s.conjectured[LOGUP[0]] == 120 and s.conjectured[LOGUP[1]] == 119
    assert s.logup_combined == pytest.approx(118.415, abs=1e-3)
    single = Protocol(BusAir(64, 0, params.zk_rows), params).security
    assert single.conjectured[LOGUP[0]] == 120 and single.conjectured[LOGUP[1]] == 120


def test_the_tuple_term_falls_as_tuples_grow():
    """One more element per tuple is one more power of gamma: the term and the summed LogUp figure never rise."""
    def shape(elements):
        return Shape(1 << 10, 1 << 13, 100, 7, 40, elements, 200, (1 << 13, 1 << 10))
    figures = [security(3, 20, 0, 3, shape(40 * t)) for t in range(1, 17)]
    folds = [f.conjectured[LOGUP[1]] for f in figures]
    assert folds == sorted(folds, reverse=True) and len(set(folds)) == len(folds)
    assert [f.logup_combined for f in figures] == sorted((f.logup_combined for f in figures), reverse=True)
    assert all(f.conjectured[LOGUP[0]] == figures[0].conjectured[LOGUP[0]] for f in figures)
    assert folds[15] == pytest.approx(folds[0] - 4)


def test_the_proven_figure_is_below_the_conjectured_one_and_names_its_terms():
    s = solvency_security(1 << 16)
    assert {"composition (ALI)", "out-of-domain point (DEEP)", "DEEP batching", "FRI folding",
            "FRI queries"} <= set(s.proven)
    assert 40 < s.proven_bits < s.conjectured_bits
    assert s.proven_combined <= min(v for k, v in s.proven.items() if k not in (*LOGUP, "commitment hash"))
    assert set(LOGUP) <= set(s.proven) and s.proven_bits <= s.logup_combined


def test_proven_query_term_follows_the_johnson_bound():
    """alpha^q with alpha -> sqrt(rho) as m grows: more queries or grinding always help, never hurt."""
    shape = Shape(1 << 10, 1 << 13, 100, 7, 40, 40, 200, (1 << 13, 1 << 10))
    few, many = security(3, 20, 0, 3, shape), security(3, 40, 0, 3, shape)
    assert many.proven["FRI queries"] > few.proven["FRI queries"]
    assert security(3, 20, 10, 3, shape).proven["FRI queries"] == pytest.approx(few.proven["FRI queries"] + 10,
                                                                                abs=1.5)
    rho = ((1 << 10) + 2) / (1 << 13)
    assert few.proven["FRI queries"] <= -20 * math.log2(math.sqrt(rho)) + 1e-9


def test_the_test_preset_is_plainly_insecure():
    s = solvency_security(1 << 10, params=load_preset("test"))
    assert s.conjectured_bits < 30 and s.proven_bits < s.conjectured_bits


def test_a_tree_of_proofs_loses_log2_of_its_size():
    assert composed_bits([105] * 31) == pytest.approx(105 - math.log2(31))
    assert composed_bits([100]) == pytest.approx(100)
    assert composed_bits([120, 100]) < 100  # the weakest proof dominates, and the others still cost a little
    with pytest.raises(ValueError):
        composed_bits([])
