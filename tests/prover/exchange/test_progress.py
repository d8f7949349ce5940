"""Progress an operator can follow: on a non-terminal, timestamped lines at each stage and every interval."""
import io
import re
import time

from click.testing import CliRunner

from prover.cli import main as por
from prover.exchange.progress import Progress

STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d "


def test_a_log_gets_a_timestamped_line_per_stage_with_counts_rate_and_eta():
    log = io.StringIO()
    with Progress(unit="proofs", stream=log, terminal=False, interval=3600) as shown:
        shown.stage("reading users")
        shown.set_total(4)
        shown.stage("shard 1/4: main trace")
        shown.advance()
        shown.stage("shard 2/4: main trace")
    lines = log.getvalue().splitlines()
    assert len(lines) == 3 and all(re.match(STAMP, line) for line in lines)
    assert "reading users | 0/? proofs" in lines[0] and "shard 1/4: main trace | 0/4 proofs" in lines[1]
    assert re.search(r"shard 2/4: main trace \| 1/4 proofs, [\d.,]+/(s|min), ETA \d+", lines[2]), lines[2]


def test_a_log_gets_a_heartbeat_line_during_a_long_stage():
    log = io.StringIO()
    with Progress(stream=log, terminal=False, interval=0.05) as shown:
        shown.stage("quotient")
        time.sleep(0.3)
    lines = log.getvalue().splitlines()
    assert len(lines) >= 4 and all(re.match(STAMP + "quotient", line) for line in lines), lines


def test_a_terminal_gets_a_bar_and_no_log_lines():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    with Progress(total=2, stream=screen, interval=0.01) as shown:
        shown.stage("writing")
        shown.advance(2)
    assert "writing" in screen.getvalue() and "2/2" in screen.getvalue()
    assert not re.search(STAMP, screen.getvalue())


def test_por_prove_logs_every_stage_with_timestamps(tmp_path):
    (tmp_path / "users.csv").write_text("id,BTC\nalice,1\nbob,2\ncarol,3\n")
    result = CliRunner().invoke(por, ["prove", str(tmp_path / "users.csv"), "--round", "r", "--out",
                                      str(tmp_path / "round"), "--preset", "test", "--secret-file",
                                      str(tmp_path / "secret")])
    assert result.exit_code == 0, result.output
    stages = [re.match(STAMP + r"(.*?) \|", line).group(1) for line in result.stderr.splitlines()
              if re.match(STAMP + r".* \| \d+/", line)]
    for stage in ("reading users", "committing user ids", "building the tree", "main trace", "verifying the proof",
                  "writing"):
        assert stage in stages, stages
    assert "1/1 proofs" in result.stderr
