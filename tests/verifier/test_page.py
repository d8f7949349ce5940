"""The offline verification page (verifier/page): its JS against the Python reference under node, then the
rendered page in a real browser (Debian's chromium, driven by Playwright) with no network at all."""
from __future__ import annotations

import copy
import importlib.util
import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from page_fixtures import P, build_round, hash_round, rebind
from paths import REPO
from paths import VECTORS as SHARED_VECTORS

from circuits.poseidon2 import permute
from circuits.tree_hash import (
    DOMAIN_ID,
    DOMAIN_LEAF,
    DOMAIN_NODE,
    DOMAIN_ROUND,
    digest_from_hex,
    digest_to_hex,
    id_commitment,
    leaf_digest,
    node_digest,
    sponge,
)
from prover.exchange.inclusion import export_inclusion
from prover.exchange.leaf_order import TEST_SEED_VARIABLE
from prover.exchange.round import prove_round
from verifier.cli import main as por_verify
from verifier.errors import CheckFailed, InputError
from verifier.formats.amounts import format_amount, parse_amount
from verifier.formats.strict_json import loads
from verifier.page import render_page, write_page
from verifier.solvency.inclusion import verify_inclusion

PAGE_DIR = REPO / "verifier" / "page"
# /work/shared/vectors/poseidon2_goldilocks.json (SPEC §2: the instance plonky3_default_w12), beside the checkout
VECTORS = SHARED_VECTORS / "poseidon2_goldilocks.json"
NODE = shutil.which("node")
CHROMIUM = Path("/usr/bin/chromium")
CORPUS_DIR = REPO / "tests" / "vectors" / "inclusion_corpus"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Runs every case of the module in one node process; integers travel as decimal strings (JSON numbers lose bits).
NODE_DRIVER = r"""
const fs = require('fs');
const P2 = require(process.argv[2] + '/poseidon2.js');
const I = require(process.argv[2] + '/inclusion.js');
const cases = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const big = (xs) => xs.map(BigInt);
const str = (xs) => xs.map(String);
const bytes = (hex) => (hex.match(/../g) || []).map((h) => parseInt(h, 16));
const attempt = (f) => { try { return String(f()); } catch (e) { return 'error'; } };
const out = {
  kat: cases.kat.map((input) => str(P2.permute(big(input)))),
  sponge: cases.sponge.map((c) => str(P2.sponge(BigInt(c.domain), big(c.message)))),
  id: cases.id.map((c) => str(P2.hashId(c.user_id, bytes(c.nonce), Number(c.position), Number(c.count)))),
  leaf: cases.leaf.map((c) => str(P2.hashLeaf(big(c.idc), big(c.balances)))),
  node: cases.node.map((c) => str(P2.hashNode(big(c.left), big(c.right)))),
  round: cases.round.map((c) => str(P2.hashRound(big(c.tree_root), c.round, c.policy, c.leaves, c.assets))),
  hex: cases.hex.map((d) => P2.digestToHex(big(d))),
  unhex: cases.unhex.map((h) => { const d = P2.digestFromHex(h); return d && str(d); }),
  amounts: cases.amounts.map(([text, decimals]) => attempt(() => I.parseAmount(text, decimals, 'x'))),
  format: cases.format.map(([units, decimals]) => I.formatAmount(BigInt(units), decimals)),
  verify: Object.fromEntries(Object.entries(cases.verify).map(([name, [proof, published]]) =>
    [name, I.verifyInclusion(proof, published === null ? undefined : published)])),
};
process.stdout.write(JSON.stringify(out));
"""

PUBLIC, PROOFS = build_round()
ROOT = PUBLIC["root"]


def _load_corpus_generator():
    spec = importlib.util.spec_from_file_location("inclusion_corpus", CORPUS_DIR / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CORPUS = _load_corpus_generator()
CORPUS_CASES = {case["name"]: case for case in CORPUS.corpus()["cases"]}


def _flip(hex_digest: str) -> str:
    """One bit flipped (the lowest of the first byte)."""
    return f"{int(hex_digest[:2], 16) ^ 1:02x}{hex_digest[2:]}"


def _edit(user: str, change) -> dict:
    proof = copy.deepcopy(PROOFS[user])
    change(proof)
    return proof


def _set_balance(proof: dict, symbol: str, amount: str) -> None:
    proof["entries"][0]["balances"][symbol] = amount
    proof["balances"][symbol] = amount


def _rescale(proof: dict) -> None:
    """0.1 BTC at 8 decimals shown as 10 BTC at 6 decimals: the same 10^7 base units, so the same leaf."""
    proof["assets"][0]["decimals"] = 6
    _set_balance(proof, "BTC", "10")
    rebind(proof)


def _rename(old: str, new: str):
    def change(proof: dict) -> None:
        for asset in proof["assets"]:
            asset["symbol"] = new if asset["symbol"] == old else asset["symbol"]
        for holder in [proof] + proof["entries"]:
            holder["balances"] = {new if k == old else k: v for k, v in holder["balances"].items()}
        rebind(proof)
    return change


def _reorder_assets(proof: dict) -> None:
    """ETH listed before BTC, every balances object reordered to match: the leaf's values move, so T changes."""
    proof["assets"] = [proof["assets"][1], proof["assets"][0], proof["assets"][2]]
    for holder in [proof] + proof["entries"]:
        holder["balances"] = {s: holder["balances"][s] for s in ("ETH", "BTC", "USDT")}
    rebind(proof)


def _swap_values(proof: dict) -> None:
    for holder in [proof] + proof["entries"]:
        b = holder["balances"]
        b["BTC"], b["ETH"] = b["ETH"], b["BTC"]
    rebind(proof)


def _swap_values_and_keys(proof: dict) -> None:
    for holder in [proof] + proof["entries"]:
        b = holder["balances"]
        holder["balances"] = {"ETH": b["BTC"], "BTC": b["ETH"], "USDT": b["USDT"]}


def _public(**changes) -> str:
    return json.dumps({**PUBLIC, **changes})


def _del(path: list):
    def change(proof: dict) -> None:
        holder = proof
        for key in path[:-1]:
            holder = holder[key]
        del holder[path[-1]]
    return change


def _duplicate_entry(proof: dict) -> None:
    proof["entries"].append(copy.deepcopy(proof["entries"][0]))
    _add_entry_to_sum(proof, proof["entries"][0])


def _borrow_alice_entry(proof: dict) -> None:
    proof["entries"].append(copy.deepcopy(PROOFS["alice"]["entries"][0]))
    _add_entry_to_sum(proof, PROOFS["alice"]["entries"][0])


def _drop_last_entry_and_lower_the_total(proof: dict) -> None:
    """What the unbound format let through: a leaf left out, the stated total lowered to match."""
    _add_entry_to_sum(proof, proof["entries"].pop(), sign=-1)


def _swap_first_two_entries(proof: dict) -> None:
    proof["entries"][0], proof["entries"][1] = proof["entries"][1], proof["entries"][0]


def _replace_last_entry_with_the_first(proof: dict) -> None:
    """A leaf repeated in place of another (the count K unchanged), the total adjusted to match."""
    _add_entry_to_sum(proof, proof["entries"].pop(), sign=-1)
    proof["entries"].append(copy.deepcopy(proof["entries"][0]))
    _add_entry_to_sum(proof, proof["entries"][0])


def _add_entry_to_sum(proof: dict, entry: dict, sign: int = 1) -> None:
    for asset in proof["assets"]:
        s, d = asset["symbol"], asset["decimals"]
        total = parse_amount(proof["balances"][s], d) + sign * parse_amount(entry["balances"][s], d)
        proof["balances"][s] = format_amount(total, d)


# name -> (proof (dict or JSON text), published root (hex, public.json text or None), reason substring)
REJECTED = {
    "balance changed": (_edit("alice", lambda p: _set_balance(p, "BTC", "0.2")), ROOT, "root named in the file"),
    "balance changed, file root rebound": (_edit("alice", lambda p: (_set_balance(p, "BTC", "0.2"), rebind(p))),
                                           ROOT, "published root"),
    "two balances swapped": (_edit("alice", _swap_values), ROOT, "published root"),
    "two balances swapped, keys reordered": (_edit("alice", _swap_values_and_keys), ROOT, "in that order"),
    "assets reordered with their keys": (_edit("alice", _reorder_assets), ROOT, "published root"),
    "rescaled: other decimals, same base units": (_edit("alice", _rescale), ROOT, "published root"),
    "rescaled, against public.json": (_edit("alice", _rescale), _public(), "asset list"),
    "asset renamed": (_edit("alice", _rename("BTC", "XBT")), ROOT, "published root"),
    "round renamed": (_edit("alice", lambda p: (p.update(round="2026-12"), rebind(p))), ROOT, "published root"),
    "round renamed, against public.json": (_edit("alice", lambda p: (p.update(round="2026-12"), rebind(p))),
                                           _public(), "round"),
    "file root flipped in one bit": (_edit("alice", lambda p: p.update(root=_flip(ROOT))), ROOT,
                                     "root named in the file"),
    "published root flipped in one bit": (PROOFS["alice"], _flip(ROOT), "published root"),
    "sibling changed": (_edit("alice", lambda p: p["entries"][0]["siblings"].__setitem__(
        2, _flip(p["entries"][0]["siblings"][2]))), ROOT, "root named in the file"),
    "sibling changed in a split proof": (_edit("bob", lambda p: p["entries"][1]["siblings"].__setitem__(
        0, _flip(p["entries"][1]["siblings"][0]))), ROOT, "entry 1's path"),
    "index changed": (_edit("alice", lambda p: p["entries"][0].update(index=p["entries"][0]["index"] ^ 1)), ROOT,
                      "root named in the file"),
    "index out of range": (_edit("alice", lambda p: p["entries"][0].update(index=16)), ROOT, "index"),
    "an entry dropped": (_edit("bob", lambda p: p["entries"].pop()), ROOT, "add up to"),
    "an entry duplicated": (_edit("bob", _duplicate_entry), ROOT, "same leaf index"),
    "an entry dropped, the total lowered to match": (_edit("bob", _drop_last_entry_and_lower_the_total), ROOT,
                                                     "entry 1's path"),
    "an entry repeated in place of another": (_edit("bob", _replace_last_entry_with_the_first), ROOT,
                                              "same leaf index"),
    "entries reordered": (_edit("bob", _swap_first_two_entries), ROOT, "entry 1's path"),
    "another user's entry": (_edit("bob", _borrow_alice_entry), ROOT, "entry 1's path"),  # K = 4: none fit
    "another user's entry in place of one's own": (_edit("bob", lambda p: (
        _add_entry_to_sum(p, p["entries"].pop(), sign=-1), _borrow_alice_entry(p))), ROOT, "entry 2's path"),
    "fewer leaves than they were committed with": (PROOFS["dora"], ROOT, "entry 1's path"),
    "one leaf of a user committed with three": (_edit("dora", lambda p: _add_entry_to_sum(
        p, p["entries"].pop(), sign=-1)), ROOT, "root named in the file"),
    "sum does not match the entries": (_edit("bob", lambda p: p["balances"].update(USDT="1250.500002")), ROOT,
                                       "add up to"),
    "non-canonical amount 0013.250": (_edit("alice", lambda p: p["entries"][0]["balances"].update(BTC="0013.250")),
                                      ROOT, "not a canonical decimal amount"),
    "more decimals than the asset has": (_edit("alice", lambda p: _set_balance(p, "USDT", "0.0000001")), ROOT,
                                         "more than 6 decimals"),
    "balance of 2^63 base units": (_edit("alice", lambda p: _set_balance(p, "BTC", "92233720368.54775808")), ROOT,
                                   "2^63"),
    "extra key at the top": (_edit("alice", lambda p: p.update(note="trust me")), ROOT, 'unexpected key "note"'),
    "extra key in an entry": (_edit("alice", lambda p: p["entries"][0].update(memo="x")), ROOT, '"memo"'),
    "extra key in an asset": (_edit("alice", lambda p: p["assets"][0].update(name="Bitcoin")), ROOT, '"name"'),
    "missing key at the top": (_edit("alice", _del(["policy"])), ROOT, 'missing "policy"'),
    "missing key in an entry": (_edit("alice", _del(["entries", 0, "nonce"])), ROOT, 'missing "nonce"'),
    "missing asset in balances": (_edit("alice", _del(["entries", 0, "balances", "USDT"])), ROOT, "exactly the assets"),
    "wrong format": (_edit("alice", lambda p: p.update(format="por-inclusion/3")), ROOT, "format"),
    "format por-inclusion/1": (_edit("alice", lambda p: p.update(format="por-inclusion/1")), ROOT,
                               "por-inclusion/1 is refused"),
    "unsupported policy": (_edit("alice", lambda p: p.update(policy="margin")), ROOT, "policy"),
    "leaves not a power of two": (_edit("alice", lambda p: p.update(leaves=12)), ROOT, "power of two"),
    "leaves beyond 2^31": (_edit("alice", lambda p: p.update(leaves=2**32)), ROOT, "leaves"),
    "path too short": (_edit("alice", lambda p: p["entries"][0]["siblings"].pop()), ROOT, "siblings must list"),
    "no entries": (_edit("alice", lambda p: p.update(entries=[])), ROOT, "at least one"),
    "symbols equal ignoring case": (_edit("alice", _rename("ETH", "btc")), ROOT, "appears twice"),
    "decimals above 18": (_edit("alice", lambda p: p["assets"][0].update(decimals=19)), ROOT, "0..18"),
    "non-canonical digest element": (_edit("alice", lambda p: p["entries"][0]["siblings"].__setitem__(0, "ff" * 32)),
                                     ROOT, "below p"),
    "not JSON": ("{\"format\": ", ROOT, "not valid JSON"),
    "a key given twice": (json.dumps(PROOFS["alice"])[:-1] + ', "user_id": "mallory"}', ROOT,
                          '"user_id" appears twice'),
    "public.json with a key given twice": (PROOFS["alice"], _public()[:-1] + f', "root": "{_flip(ROOT)}"}}',
                                           '"root" appears twice'),
    "published root malformed": (PROOFS["alice"], "xyz", "64 hex"),
    "public.json of another tree size": (PROOFS["alice"], _public(leaves=32), "leaves"),
    "public.json of another round": (PROOFS["alice"], _public(round="2026-10"), "round"),
    "public.json with other decimals": (PROOFS["alice"], _public(assets=[dict(a, decimals=9) if a["symbol"] == "BTC"
                                                                         else a for a in PUBLIC["assets"]]), "asset"),
    "public.json with another root": (PROOFS["alice"], _public(root=_flip(ROOT)), "published root"),
    "public.json of another format": (PROOFS["alice"], _public(format="por-inclusion/2"), "por-public/1"),
}

ACCEPTED = {
    "single entry": (PROOFS["alice"], ROOT),
    "split over three entries": (PROOFS["bob"], ROOT),
    "non-ASCII user id": (PROOFS["émilie 😀"], ROOT),
    "against public.json": (PROOFS["bob"], json.dumps(PUBLIC)),
    "root in upper case, with blanks": (PROOFS["alice"], f"  {ROOT.upper()}\n"),
}

AMOUNTS = {  # (text, decimals) -> base units, or None when SPEC §3 refuses it
    ("0", 8): 0, ("0.5", 8): 50_000_000, ("12", 0): 12, ("0.00000001", 8): 1, ("1.000000000000000001", 18): 10**18 + 1,
    ("00.5", 8): None, ("0.50", 8): None, (".5", 8): None, ("5.", 8): None, ("+1", 8): None, ("-1", 8): None,
    ("1e3", 8): None, (" 1", 8): None, ("1,5", 8): None, ("0013.250", 8): None, ("0.000000001", 8): None,
    ("1.5", 0): None, ("", 8): None, ("٣", 8): None, ("01", 8): None,
}


def _known_answer_tests() -> list[dict]:
    if not VECTORS.exists():
        return []
    return json.loads(VECTORS.read_text())["instances"]["plonky3_default_w12"]["test_vectors"]


def _random_digest(rng: random.Random) -> tuple:
    return tuple(rng.randrange(P) for _ in range(4))


def _reference_cases(rng: random.Random) -> tuple[dict, dict]:
    """(inputs for node, the Python reference's answers): sponge, id, leaf, node and round digests, hex both ways."""
    vectors = _known_answer_tests()
    sponges = [{"domain": rng.choice([DOMAIN_LEAF, DOMAIN_NODE, DOMAIN_ID, DOMAIN_ROUND]),
                "message": [rng.choice([0, 1, P - 1, rng.randrange(P)]) for _ in range(length)]}
               for length in (1, 7, 8, 9, 16, 17, 23)]
    ids = [{"user_id": uid, "nonce": rng.randbytes(n).hex(), "position": k, "count": count} for uid, n, k, count in
           (("alice", 32, 0, 1), ("é😀 x", 32, 1, 2), ("u" * 40, 32, 63, 64), ("bob", 0, 0, 3), ("carol", 5, 2, 3),
            ("dave", 32, 2**32 - 2, 2**32 - 1))]
    leaves = [{"idc": _random_digest(rng), "balances": [rng.randrange(1 << 63) for _ in range(k)]}
              for k in (1, 4, 5, 12)]
    nodes = [{"left": _random_digest(rng), "right": _random_digest(rng)} for _ in range(3)]
    rounds = [{"tree_root": _random_digest(rng), "round": name, "policy": "plain", "leaves": n,
               "assets": [{"symbol": s, "decimals": d} for s, d in assets]}
              for name, n, assets in (("2026-11", 1024, [("BTC", 8), ("ETH", 18)]), ("é", 2**40, [("USDT", 6)]),
                                      ("r" * 30, 2, [(f"A{k}", k) for k in range(19)]))]
    hexes = [_random_digest(rng) for _ in range(3)] + [(0, 0, 0, P - 1)]
    unhex = [digest_to_hex(d) for d in hexes] + ["ff" * 32, "00" * 31, "00" * 24 + "01000000ffffffff", "g" * 64]
    inputs = {"kat": [[str(x) for x in v["input"]] for v in vectors], "sponge": sponges, "id": ids, "leaf": leaves,
              "node": nodes, "round": rounds, "hex": hexes, "unhex": unhex}
    expected = {
        "kat": [v["output"] for v in vectors] + [permute(v["input"]) for v in vectors],
        "sponge": [sponge(c["domain"], c["message"]) for c in sponges],
        "id": [id_commitment(c["user_id"], bytes.fromhex(c["nonce"]), c["position"], c["count"]) for c in ids],
        "leaf": [leaf_digest(c["idc"], c["balances"]) for c in leaves],
        "node": [node_digest(c["left"], c["right"]) for c in nodes],
        "round": [hash_round(c["tree_root"], c["round"], c["policy"], c["leaves"], c["assets"]) for c in rounds],
        "hex": [digest_to_hex(d) for d in hexes],
        "unhex": [[str(x) for x in d] for d in hexes] + [None, None, None, None],
    }
    return inputs, expected


def _stringify(value):
    """Every integer as a decimal string, as it travels to node."""
    if isinstance(value, (list, tuple)):
        return [_stringify(v) for v in value]
    if isinstance(value, dict):
        return {k: _stringify(v) for k, v in value.items()}
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


@pytest.fixture(scope="module")
def node_run(tmp_path_factory):
    """All node-side answers from one node process, with the Python reference's answers beside them."""
    if NODE is None:
        pytest.skip("node is not installed")
    inputs, expected = _reference_cases(random.Random(2026))
    inputs = _stringify(inputs)
    inputs["amounts"] = [list(key) for key in AMOUNTS]
    inputs["format"] = [[str(units), d] for (_, d), units in AMOUNTS.items() if units is not None]
    inputs["verify"] = {name: [_as_text(case[0]), case[1]] for name, case in {**REJECTED, **ACCEPTED}.items()}
    inputs["verify"].update({f"real round: {name}": [_as_text(proof), published]
                             for name, (proof, published) in real_round_cases(tmp_path_factory).items()})
    inputs["verify"].update({f"corpus: {name}": [case["proof"], ROOT] for name, case in CORPUS_CASES.items()})
    inputs["verify"]["no published root"] = [_as_text(PROOFS["bob"]), None]
    inputs["verify"]["blank published root"] = [_as_text(PROOFS["bob"]), "  \n"]
    work = tmp_path_factory.mktemp("node")
    (work / "driver.js").write_text(NODE_DRIVER)
    (work / "cases.json").write_text(json.dumps(inputs))
    done = subprocess.run([NODE, str(work / "driver.js"), str(PAGE_DIR), str(work / "cases.json")],
                          capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout), _stringify(expected)


def real_round_cases(tmp_path_factory) -> dict:
    """Proofs exported by `por prove` / `por inclusion` from a real (tiny, test-preset) round, for the page."""
    tmp = tmp_path_factory.mktemp("real-round")
    (tmp / "users.csv").write_text("id,BTC,ETH:18,USDT:6\nalice,0.5,1.000000000000000001,100\nbob,0,2,0.25\n")
    os.environ[TEST_SEED_VARIABLE] = "split-page"  # a fixed split: alice's balances over four leaves
    try:
        result = prove_round(tmp / "users.csv", "2026-11", tmp / "round", "test", tmp / "secret", progress=False,
                             split=4)
    finally:
        del os.environ[TEST_SEED_VARIABLE]
    proof = export_inclusion(result.out_dir, "alice")
    assert len(proof["entries"]) >= 3
    rescaled = copy.deepcopy(proof)
    rescaled["assets"][0]["decimals"] = 6
    for holder in [rescaled] + rescaled["entries"]:  # the same base units, shown at 6 decimals
        holder["balances"]["BTC"] = format_amount(parse_amount(holder["balances"]["BTC"], 8), 6)
    public_text = (result.out_dir / "public.json").read_text()
    reordered = copy.deepcopy(proof)
    reordered["entries"].reverse()
    dropped = copy.deepcopy(proof)
    _drop_last_entry_and_lower_the_total(dropped)
    return {"against the bare root": (proof, result.public["root"]), "against public.json": (proof, public_text),
            "rescaled": (rescaled, result.public["root"]), "split, reordered": (reordered, result.public["root"]),
            "split, a leaf dropped and the total lowered": (dropped, result.public["root"])}


def test_the_page_verifies_what_the_exporter_writes(node_run):
    verdicts = node_run[0]["verify"]
    assert verdicts["real round: against the bare root"]["valid"] is True
    assert verdicts["real round: against public.json"]["valid"] is True
    assert {b["symbol"]: b["amount"] for b in verdicts["real round: against public.json"]["balances"]} == {
        "BTC": "0.5", "ETH": "1.000000000000000001", "USDT": "100"}
    assert verdicts["real round: rescaled"]["valid"] is False
    for forged in ("split, reordered", "split, a leaf dropped and the total lowered"):
        assert verdicts[f"real round: {forged}"]["valid"] is False
        assert "another tree root" in verdicts[f"real round: {forged}"]["reason"]


@pytest.mark.parametrize("name", [name for name, case in {**ACCEPTED, **REJECTED}.items()
                                  if not case[1].lstrip().startswith("{")])  # the fixture's public.json is partial
def test_python_and_the_page_agree_on_every_case_against_a_bare_root(node_run, name):
    """The same verdict from the Python verifier (SPEC §6) and the page, case by case."""
    proof, published, *_ = {**ACCEPTED, **REJECTED}[name]
    try:
        verify_inclusion(loads(_as_text(proof), "proof"), digest_from_hex(published.strip()))
        python_valid = True
    except (CheckFailed, InputError, ValueError):
        python_valid = False
    assert python_valid is node_run[0]["verify"][name]["valid"]


def _as_text(proof) -> str:
    return proof if isinstance(proof, str) else json.dumps(proof)


@pytest.mark.skipif(not VECTORS.exists(), reason="shared vectors not available")
def test_poseidon2_known_answers(node_run):
    """/work/shared/vectors/poseidon2_goldilocks.json, instance plonky3_default_w12: every test vector, and the
    Python reference agrees on each."""
    got, expected = node_run
    count = len(got["kat"])
    assert count >= 1
    assert got["kat"] == expected["kat"][:count] == expected["kat"][count:]


@pytest.mark.parametrize("kind", ["sponge", "id", "leaf", "node", "round", "hex", "unhex"])
def test_digests_match_python_reference(node_run, kind):
    got, expected = node_run
    assert got[kind] == expected[kind]


def test_amounts_canonical_and_exact(node_run):
    got, _ = node_run
    assert dict(zip(AMOUNTS, got["amounts"])) == {k: "error" if v is None else str(v) for k, v in AMOUNTS.items()}
    assert got["format"] == [text for (text, _), units in AMOUNTS.items() if units is not None]


@pytest.mark.parametrize("name", ACCEPTED)
def test_valid_proofs(node_run, name):
    result = node_run[0]["verify"][name]
    proof = ACCEPTED[name][0]
    assert result["valid"] is True, result["reason"]
    assert result["userId"] == proof["user_id"] and result["round"] == proof["round"]
    assert result["entries"] == len(proof["entries"])
    assert {b["symbol"]: b["amount"] for b in result["balances"]} == proof["balances"]


def test_split_proof_shows_the_exact_sum(node_run):
    result = node_run[0]["verify"]["split over three entries"]
    assert result["balances"] == [{"symbol": "BTC", "amount": "1.5"},
                                  {"symbol": "ETH", "amount": "0.000000000000000001"},
                                  {"symbol": "USDT", "amount": "1250.500001"}]


@pytest.mark.parametrize("name", ["no published root", "blank published root"])
def test_no_published_root_is_not_valid(node_run, name):
    result = node_run[0]["verify"][name]
    assert result["valid"] is False and result["needsRoot"] is True
    assert "published root" in result["reason"]


@pytest.mark.parametrize("name", REJECTED)
def test_tampering_rejected(node_run, name):
    result = node_run[0]["verify"][name]
    assert result["valid"] is False and result["needsRoot"] is False
    assert REJECTED[name][2] in result["reason"]
    assert "\n" not in result["reason"]


def test_rendered_page_is_self_contained(tmp_path):
    page = render_page()
    lowered = page.lower()
    for reference in ("http:", "https:", "src=", "href=", "@import", "url(", "fetch(", "xmlhttprequest", "//cdn"):
        assert reference not in lowered, reference
    assert "default-src 'none'" in page
    write_page(tmp_path / "verify.html")
    assert (tmp_path / "verify.html").read_text(encoding="utf-8") == page
    assert [p.name for p in tmp_path.iterdir()] == ["verify.html"]


# -- in a real browser ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser_page(tmp_path_factory):
    """The written page open in headless chromium, with every request the page makes recorded."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    path = tmp_path_factory.mktemp("page") / "verify.html"
    write_page(path)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        requests, errors = [], []
        page.on("request", lambda request: requests.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(path.as_uri())
        yield page, path, requests, errors
        browser.close()


def _verify_in_browser(page, proof_text: str, root: str) -> tuple[str, str]:
    page.fill("#proof-text", proof_text)
    page.fill("#root-text", root)
    page.click("#verify")
    return page.inner_text("#verdict-word"), page.inner_text("#verdict-reason")


def test_browser_valid_from_dropped_files(browser_page, tmp_path):
    page, _, _, errors = browser_page
    (tmp_path / "bob.json").write_text(json.dumps(PROOFS["bob"]))
    (tmp_path / "public.json").write_text(json.dumps(PUBLIC))
    page.click("#clear")
    page.set_input_files("#proof-file", str(tmp_path / "bob.json"))
    page.set_input_files("#root-file", str(tmp_path / "public.json"))
    page.wait_for_function("document.getElementById('proof-text').value && document.getElementById('root-text').value")
    page.click("#verify")
    assert page.inner_text("#verdict-word") == "VALID"
    assert "1250.500001" in page.inner_text("#balances") and "bob" in page.inner_text("#d-user")
    assert errors == []


def test_browser_reads_a_dropped_file_byte_for_byte(browser_page, tmp_path):
    """As the command line does: a byte-order mark stays (and is refused), bytes that are not UTF-8 are refused."""
    page, _, _, errors = browser_page
    text = json.dumps(PROOFS["bob"])
    for name, data, reason in (("bom.json", b"\xef\xbb\xbf" + text.encode(), "not valid JSON"),
                               ("latin1.json", text.replace("bob", "b\xf6b").encode("latin-1"), "not UTF-8 text")):
        (tmp_path / name).write_bytes(data)
        page.click("#clear")
        page.fill("#root-text", ROOT)
        page.set_input_files("#proof-file", str(tmp_path / name))
        if name == "bom.json":
            page.wait_for_function("() => document.getElementById('proof-text').value.length > 0")
            page.click("#verify")
        page.wait_for_function("(r) => document.getElementById('verdict-reason').textContent.includes(r)", arg=reason)
        assert page.inner_text("#verdict-word") == "INVALID" and reason in page.inner_text("#verdict-reason"), name
    assert errors == []


def test_browser_pasted_root_valid_then_tampered_invalid(browser_page):
    page, _, _, errors = browser_page
    word, _ = _verify_in_browser(page, json.dumps(PROOFS["alice"]), ROOT)
    assert word == "VALID"
    assert "0.1" in page.inner_text("#balances") and "USDT" not in page.inner_text("#balances")
    page.check("#show-all")
    assert "USDT" in page.inner_text("#balances")
    word, reason = _verify_in_browser(page, json.dumps(REJECTED["rescaled: other decimals, same base units"][0]), ROOT)
    assert word == "INVALID" and "published root" in reason
    word, _ = _verify_in_browser(page, json.dumps(PROOFS["alice"]), "")
    assert word == "ROOT NEEDED"
    assert errors == []


def test_browser_split_proof_valid_and_each_leaf_forgery_invalid(browser_page):
    """A split user's honest proof is VALID in the browser; a leaf missing (total lowered to match), repeated,
    reordered or borrowed, or fewer leaves than they were committed with, is INVALID."""
    page, _, _, errors = browser_page
    assert _verify_in_browser(page, json.dumps(PROOFS["bob"]), ROOT)[0] == "VALID"
    for name in ("an entry dropped, the total lowered to match", "an entry repeated in place of another",
                 "entries reordered", "another user's entry in place of one's own",
                 "fewer leaves than they were committed with"):
        proof, _, expected = REJECTED[name]
        word, reason = _verify_in_browser(page, json.dumps(proof), ROOT)
        assert word == "INVALID" and expected.lower() in reason.lower(), (name, reason)
    assert errors == []


def test_browser_made_no_network_request(browser_page):
    page, path, requests, _ = browser_page
    _verify_in_browser(page, json.dumps(PROOFS["bob"]), ROOT)
    assert requests == [path.as_uri()]


# -- the shared corpus (tests/vectors/inclusion_corpus): one answer from Python, node and chromium -------------------

def _answer(valid: bool, refused_by: str | None) -> tuple[str, str | None]:
    return ("VALID" if valid else "INVALID" if refused_by == "check" else "MALFORMED"), refused_by


def _python_answer(text: str) -> tuple[str, str | None]:
    """What `por-verify inclusion FILE --root R` answers: the file's bytes read strictly, then the proof checked."""
    try:
        document = loads(text.encode("utf-8"), "proof")
    except InputError:
        return _answer(False, "json")
    try:
        verify_inclusion(document, digest_from_hex(ROOT))
    except InputError:
        return _answer(False, "format")
    except CheckFailed:
        return _answer(False, "check")
    return _answer(True, None)


def test_corpus_file_is_what_the_generator_writes():
    """generate.py is the source of truth: after a format change, rerun it (the message says how)."""
    assert CORPUS.ROOT == ROOT
    assert len(CORPUS_CASES) >= 50
    assert (CORPUS_DIR / "corpus.json").read_text(encoding="ascii") == CORPUS.corpus_text(), \
        "corpus.json is stale: run python tests/vectors/inclusion_corpus/generate.py"


@pytest.mark.parametrize("name", CORPUS_CASES)
def test_python_verifier_answers_the_corpus(name):
    case = CORPUS_CASES[name]
    assert _python_answer(case["proof"]) == (case["expected"], case["refused_by"])


def test_command_line_answers_the_corpus_by_exit_code(tmp_path):
    """`por-verify inclusion FILE --root R` on each case's exact bytes: 0 VALID, 1 INVALID, 2 MALFORMED, one line."""
    codes = {}
    for k, case in enumerate(CORPUS_CASES.values()):
        (tmp_path / f"{k}.json").write_bytes(case["proof"].encode("utf-8"))
        result = CliRunner().invoke(por_verify, ["inclusion", str(tmp_path / f"{k}.json"), "--root", ROOT])
        assert result.exception is None or isinstance(result.exception, SystemExit), (case["name"], result.output)
        assert "Traceback" not in result.output and result.output.strip().count("\n") == 0, case["name"]
        codes[case["name"]] = result.exit_code
    assert codes == {name: {"VALID": 0, "INVALID": 1, "MALFORMED": 2}[case["expected"]]
                     for name, case in CORPUS_CASES.items()}


@pytest.mark.parametrize("name", CORPUS_CASES)
def test_page_under_node_answers_the_corpus(node_run, name):
    case = CORPUS_CASES[name]
    result = node_run[0]["verify"][f"corpus: {name}"]
    assert _answer(result["valid"], result.get("refusedBy")) == (case["expected"], case["refused_by"]), result["reason"]
    assert "\n" not in result["reason"]


def test_page_in_chromium_answers_the_corpus(browser_page):
    """The rendered page's own inlined scripts, case by case, and the verdict the user sees for each."""
    page, _, _, errors = browser_page
    cases = list(CORPUS_CASES.values())
    results = page.evaluate("""([cases, root]) => cases.map((c) => {
        const r = PorInclusion.verifyInclusion(c.proof, root);
        return [r.valid, r.refusedBy === undefined ? null : r.refusedBy];
    })""", [cases, ROOT])
    got = {case["name"]: _answer(valid, refused_by) for case, (valid, refused_by) in zip(cases, results)}
    assert got == {case["name"]: (case["expected"], case["refused_by"]) for case in cases}
    for case in cases:
        word, _ = _verify_in_browser(page, case["proof"], ROOT)
        assert word == ("VALID" if case["expected"] == "VALID" else "INVALID"), case["name"]
    assert errors == []
