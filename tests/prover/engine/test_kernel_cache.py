"""The cold-start background compilation: it compiles the kernels with the prover's own argument types (or the
prover would compile them again), and it never outlives the process that started it."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from paths import REPO
from prover.engine import kernel_cache
from prover.exchange.warm import warm


def test_the_late_kernels_are_compiled_for_the_types_a_proof_calls_them_with():
    warm()  # a tiny proof in this process: every kernel it calls has its call's signature
    for kernel, types in kernel_cache.late_kernels():
        assert tuple(types) in kernel.signatures, f"{kernel.py_func.__qualname__}: the proof called {kernel.signatures}"
    subprocess.run([sys.executable, "-m", "prover.engine.kernel_cache", "--late"], check=True, cwd=REPO, timeout=120)


def _start(**env: str) -> subprocess.CompletedProcess:
    """A process that starts `por prove` (its help: the command module and the prover's kernels load), with
    numba's cache as `env` says, then prints the pid of its background compilation ("None" if it started none) on
    its last line and exits."""
    env = {**{k: v for k, v in os.environ.items() if k != "POR_BACKGROUND_COMPILE"}, **env}
    code = ("from prover.cli import main; main(['prove', '--help'], standalone_mode=False);"
            "from prover.engine import kernel_cache; p = kernel_cache._background; print(p and p.pid)")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO,
                          env=env, timeout=120)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: no background compilation")
def test_a_cold_start_compiles_in_the_background_until_it_exits(tmp_path):
    done = _start(NUMBA_CACHE_DIR=str(tmp_path))
    assert "compiling the prover's kernels" in done.stderr
    pid = int(done.stdout.splitlines()[-1])
    assert not Path(f"/proc/{pid}").exists(), "the background compilation outlived its parent"


def test_a_warm_start_starts_no_background_compilation():
    warm()
    done = _start()
    assert done.stdout.splitlines()[-1] == "None" and not done.stderr
