"""`por inclusion DIR --all --out FOLDER`: every user's proof, one file each, in small subfolders, with an index;
each file verifies against public.json and is the very file a single-user export gives."""
import csv
import os

import pytest
from click.testing import CliRunner

from prover.cli import main as por
from prover.exchange import bulk_export
from prover.exchange.bulk_export import INDEX_FILE, export_all, proof_name
from prover.exchange.inclusion import export_inclusion
from prover.exchange.round import prove_round
from verifier.errors import InputError
from verifier.formats.inclusion import inclusion_json
from verifier.formats.public import load_public
from verifier.formats.strict_json import read_json_file
from verifier.solvency.inclusion import verify_inclusion

USERS = 23
IDS = [f"user/{k:02d}" for k in range(USERS - 3)] + ["Ünïcode", "a,b \"quoted\"", "..."]  # unsafe as file names


@pytest.fixture(scope="module")
def round_dir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bulk")
    rows = [f'"{user_id.replace(chr(34), chr(34) * 2)}",{k}.5,{k % 3}' for k, user_id in enumerate(IDS)]
    (tmp / "users.csv").write_text("id,BTC,ETH\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return prove_round(tmp / "users.csv", "2026-11", tmp / "round", "test", tmp / "secret", progress=False,
                       split=3).out_dir  # users over 1-3 leaves: each file lists them in position order


def read_index(folder):
    with open(folder / INDEX_FILE, encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == ["user_id", "path"]
    return dict(rows[1:])


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_users_proof_is_exported_verifies_and_equals_the_single_export(round_dir, tmp_path, monkeypatch, jobs):
    monkeypatch.setattr(bulk_export, "FILES_PER_FOLDER", 10)
    advanced = []
    assert export_all(round_dir, tmp_path / "proofs", advance=advanced.append, jobs=jobs) == USERS
    assert sum(advanced) == USERS
    folder = tmp_path / "proofs"
    index = read_index(folder)
    assert sorted(index) == sorted(IDS)
    assert sorted(os.listdir(folder)) == ["0000", "0001", "0002", INDEX_FILE]
    assert [len(os.listdir(folder / sub)) for sub in ("0000", "0001", "0002")] == [10, 10, 3]
    files = [p for sub in ("0000", "0001", "0002") for p in os.listdir(folder / sub)]
    assert len(files) == USERS
    public = load_public(round_dir / "public.json")
    split = 0
    for user_id, path in index.items():
        assert path.endswith("/" + proof_name(user_id))
        assert (folder / path).stat().st_mode & 0o777 == 0o600
        checked = verify_inclusion(read_json_file(folder / path), public.root, public)
        assert checked.user_id == user_id
        split += len(checked.entries) > 1
        assert (folder / path).read_text(encoding="utf-8") == inclusion_json(export_inclusion(round_dir, user_id))
    assert not [p for p in os.listdir(tmp_path) if ".tmp-" in p]
    assert split  # some user's proof carries several leaves


def test_file_names_are_fixed_length_hex_whatever_the_id():
    names = {proof_name(user_id) for user_id in IDS + ["A", "a", "../../etc/passwd", "CON"]}
    assert len(names) == len(IDS) + 4
    assert all(len(n) == 69 and n.endswith(".json") and set(n[:-5]) <= set("0123456789abcdef") for n in names)


def test_an_existing_folder_is_refused_and_a_failure_leaves_nothing(round_dir, tmp_path, monkeypatch):
    (tmp_path / "taken").mkdir()
    with pytest.raises(InputError, match="already exists"):
        export_all(round_dir, tmp_path / "taken")
    written = []

    def failing_write(path, data):
        if len(written) == 7:
            raise OSError("disk full")
        written.append(path)
        path.write_bytes(data)

    monkeypatch.setattr(bulk_export, "_write_new", failing_write)
    with pytest.raises(OSError, match="disk full"):
        export_all(round_dir, tmp_path / "proofs", jobs=1)
    assert sorted(os.listdir(tmp_path)) == ["taken"]


def test_the_command_line_exports_all_and_still_exports_one(round_dir, tmp_path):
    result = CliRunner().invoke(por, ["inclusion", str(round_dir), "--all", "--out", str(tmp_path / "all")])
    assert result.exit_code == 0, result.output
    assert f"wrote {USERS} inclusion proofs" in result.stderr
    assert len(read_index(tmp_path / "all")) == USERS
    again = CliRunner().invoke(por, ["inclusion", str(round_dir), "--all", "--out", str(tmp_path / "all")])
    assert again.exit_code == 2 and "already exists" in again.stderr
    for args in ([], ["--all"], ["--all", "--user-id", "..."]):
        usage = CliRunner().invoke(por, ["inclusion", str(round_dir), *args])
        assert usage.exit_code == 2 and "error:" in usage.stderr, usage.output
    one = CliRunner().invoke(por, ["inclusion", str(round_dir), "--user-id", "..."])
    assert one.exit_code == 0 and '"user_id":"..."' in one.stdout
