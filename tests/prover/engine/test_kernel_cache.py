"""The cold-start background compilation: it compiles the kernels with the prover's own argument types (or the
prover would compile them again), and it never outlives the process that started it."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from paths import REPO
from prover.engine import kernel_cache


def test_the_late_kernels_are_compiled_for_the_types_a_proof_calls_them_with():
    kernel_cache.warm()  # a tiny proof in this process: every kernel it calls has its call's signature
    for kernel, types in kernel_cache.late_kernels():
        assert tuple(types) in kernel.signatures, f"{kernel.py_func.__qualname__}: the proof called {kernel.signatures}"
    subprocess.run([sys.executable, "-m", "prover.engine.kernel_cache", "--late"], check=True, cwd=REPO, timeout=120)


def _start(**env: str) -> subprocess.CompletedProcess:
    """A process that loads the prover's kernels (numba's cache as `env` says), prints the pid of its background
    compilation ("None" if it started none) and exits."""
    env = {**{k: v for k, v in os.environ.items() if k != "POR_BACKGROUND_COMPILE"}, **env}
    code = "from prover.engine import field_arrays, kernel_cache; p = kernel_cache._background; print(p and p.pid)"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO,
                          env=env, timeout=120)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: no background compilation")
def test_a_cold_start_compiles_in_the_background_until_it_exits(tmp_path):
    done = _start(NUMBA_CACHE_DIR=str(tmp_path))
    assert "compiling the prover's kernels" in done.stderr
    pid = int(done.stdout)
    assert not Path(f"/proc/{pid}").exists(), "the background compilation outlived its parent"


def test_a_warm_start_starts_no_background_compilation():
    kernel_cache.warm()
    done = _start()
    assert done.stdout.strip() == "None" and not done.stderr
