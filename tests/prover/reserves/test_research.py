"""`por research`: the size estimate against a real proof, the parameter choice, the writers, the options."""
import csv
import random

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib import image

from prover.cli.research import research
from prover.engine.merkle_tree import MerkleTree
from prover.exchange.generate import generate_users, write_users_csv
from prover.exchange.round import prove_round
from prover.research import estimate, points
from prover.research.plots import FILES, write_plots
from prover.research.points import Grid, RoundShape
from prover.research.sweep import PARAMETERS, SCALE, SMALLEST, STANDARD, Config, run
from prover.research.tables import best_point, write_csv, write_markdown
from verifier.stark.params import load_preset
from verifier.stark.proof_format import parse

TINY_GRID = Grid(log_blowups=(3, 4), fri_log_arities=(1, 3), fri_log_final_degrees=(2,), grinding_bits=(0, 16))


@pytest.fixture(scope="module")
def tiny_rows():
    config = Config(users=(256, 1024), assets=(1, 3), grid=TINY_GRID, reference=RoundShape(256, 1), trials=3)
    return config, run(config)


def test_estimate_equals_a_real_round(tmp_path):
    table = generate_users(8, 2, seed=3)
    write_users_csv(table, tmp_path / "users.csv")
    prove_round(tmp_path / "users.csv", "r", tmp_path / "round", "test", tmp_path / "secret", progress=False)
    data = (tmp_path / "round" / "proof.bin").read_bytes()
    proof = parse(data)
    protocol = points.protocol(RoundShape(8, 2), load_preset("test"))
    assert protocol.trace_length == 1 << proof.log_trace_length
    # With the real proof's opening counts the assembled proof has exactly its size ...
    counts = [(len(o.rows), len(o.siblings)) for o in proof.openings]
    assert estimate.proof_size(protocol, counts) == len(data)
    # ... and the expectation over random query sets is within a few percent of it.
    expected = estimate.expected_size(protocol, trials=16)
    assert abs(expected.mean - len(data)) / len(data) < 0.05
    assert expected.low <= expected.mean <= expected.high


def test_sibling_count_follows_the_merkle_tree():
    rng = random.Random(1)
    tree = MerkleTree(np.arange(64 * 3, dtype=np.uint64).reshape(64, 3))
    for _ in range(20):
        indices = [rng.randrange(64) for _ in range(rng.randrange(1, 12))]
        assert estimate.batched_siblings(indices, 6) == len(tree.siblings(indices))


def test_fewest_queries_reach_the_target_and_no_fewer_do():
    shape = RoundShape(256, 1)
    for combo in [(3, 3, 5, 20), (4, 2, 3, 0), (6, 4, 7, 16)]:
        params = points.fewest_queries(shape, *combo, 100)
        assert points.protocol(shape, params).security.conjectured_bits >= 100
        fewer = params.__class__(**{**params.to_json(), "num_queries": params.num_queries - 1})
        assert points.protocol(shape, fewer).security.conjectured_bits < 100
    assert points.fewest_queries(shape, 2, 3, 5, 20, 100) is None  # blowup 4 < the quotient's 7 chunks
    assert points.fewest_queries(shape, 3, 3, 5, 20, 128) is None  # other terms cap the security below 128


def test_sweep_picks_points_meeting_the_target(tiny_rows):
    config, rows = tiny_rows
    grid = [r for r in rows if r["part"] == PARAMETERS]
    assert len(grid) == len(list(TINY_GRID.combinations()))
    assert all(r["meets_target"] and r["conjectured_bits"] >= config.target_bits for r in grid)
    best = best_point(rows)
    assert best["round_bytes"] == min(r["round_bytes"] for r in grid)
    smallest = [r for r in rows if r["part"] == SCALE and r["label"] == SMALLEST]
    assert len(smallest) == 4 and all(r["meets_target"] for r in smallest)
    assert {(r["log_blowup"], r["fri_log_arity"], r["grinding_bits"]) for r in smallest} == \
        {(best["log_blowup"], best["fri_log_arity"], best["grinding_bits"])}
    standard = [r for r in rows if r["part"] == SCALE and r["label"] == STANDARD]
    assert {r["point"] for r in standard} == {"standard"} and all(r["num_queries"] == 28 for r in standard)
    # Within one proof, more users or assets never shrink the proof.
    for assets in (1, 3):
        sizes = [r["round_bytes"] for r in standard if r["assets"] == assets]
        assert sizes == sorted(sizes)


def test_writers(tiny_rows, tmp_path):
    config, rows = tiny_rows
    write_csv(rows, tmp_path / "research.csv")
    write_markdown(rows, config, "por research --test", tmp_path / "research.md")
    paths = write_plots(rows, config.target_bits, tmp_path)

    with open(tmp_path / "research.csv") as f:
        read = list(csv.DictReader(f))
    assert len(read) == len(rows)
    assert int(read[0]["proof_bytes"]) == rows[0]["proof_bytes"] and read[0]["prove_s"] == ""
    best = best_point(rows)
    md = (tmp_path / "research.md").read_text()
    assert "por research --test" in md and "## Findings" in md and best["point"] in md
    assert "598.0 KB" in md and "https://github.com/okx/proof-of-reserves-v2" in md and "Summa" in md
    assert f"{best['round_bytes'] / 1000:,.1f} KB" in md
    assert [p.name for p in paths] == list(FILES)
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        height, width, _ = image.imread(path).shape
        assert width > 800 and height > 400
        assert (image.imread(path)[..., :3] < 0.5).any()  # something is drawn, not a blank canvas


@pytest.mark.parametrize("args, message", [
    (["--users", "abc"], "'abc' is not an integer"),
    (["--users", "1"], "outside"),
    (["--log-blowups", "9"], "9 is outside [1, 6]"),
    (["--shard-leaves", "1000"], "not a power of two"),
    (["--reference", "lots"], "is not USERSxASSETS"),
    (["--target-bits", "300"], "300"),
    (["--measure", "--assets", "50"], "--measure draws synthetic users from 22 assets"),
])
def test_bad_options_exit_2(tmp_path, args, message):
    result = CliRunner().invoke(research, ["--out", str(tmp_path / "out"), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "out").exists()
