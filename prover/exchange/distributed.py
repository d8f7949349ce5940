"""Where a round's tasks run: in this process one after another, or as Dask tasks (`dask.distributed`) on a
LocalCluster started here (`--workers N`) or on an existing cluster (`--scheduler tcp://HOST:PORT`).

Tasks are the functions of `shard_tasks`; results come back to the client, which alone writes files. Workers report
their proof's stages as Dask events (topic TOPIC), which the client shows as progress.
"""
from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from prover.engine.commitment import available_memory, memory_budget
from verifier.errors import InputError

TOPIC = "por-progress"
BYTES_PER_LEAF = 45_000  # peak memory of a shard proof per leaf at 22 assets (2.78 GB for 2^16 leaves, bench_solvency)

Stage = Callable[[str], None]


class InProcess:
    """Each task in turn, here; stages go straight to the progress display."""

    def __init__(self, stage: Stage):
        self._stage = stage

    def map(self, fn, argsets: list[tuple], labels: list[str] | None = None) -> Iterator[tuple[int, object]]:
        """fn(*args) for each argset (with progress= a stage reporter when labels are given); (index, result) in turn."""
        for i, args in enumerate(argsets):
            extra = {"progress": _Prefixed(labels[i], self._stage)} if labels else {}
            yield i, fn(*args, **extra)


class OnDask:
    """Every task submitted at once to a Dask client; (index, result) as each finishes."""

    def __init__(self, client, stage: Stage):
        self.client = client
        client.subscribe_topic(TOPIC, lambda event: stage(event[1]))

    def map(self, fn, argsets: list[tuple], labels: list[str] | None = None) -> Iterator[tuple[int, object]]:
        from distributed import as_completed

        futures = {}
        for i, args in enumerate(argsets):
            extra = {"progress": WorkerStage(labels[i])} if labels else {}
            futures[self.client.submit(fn, *map(self._scattered, args), pure=False, **extra)] = i
        for future in as_completed(futures):
            yield futures[future], future.result()

    def _scattered(self, value):
        """Arrays (a shard's leaves and subtree) go to the workers as data, not inside the task graph."""
        if isinstance(value, np.ndarray) or (isinstance(value, list) and value and isinstance(value[0], np.ndarray)):
            return self.client.scatter(value, hash=False)
        return value


@dataclass(frozen=True)
class _Prefixed:
    label: str
    stage: Stage

    def __call__(self, name: str) -> None:
        self.stage(self.label + name)


@dataclass(frozen=True)
class WorkerStage:
    """A stage reporter that works inside a Dask task (picklable): a Dask event the client subscribes to."""
    label: str

    def __call__(self, name: str) -> None:
        from distributed import get_worker

        get_worker().log_event(TOPIC, self.label + name)


def default_workers(shard_leaves: int) -> int:
    """As many workers as memory holds one shard proof each, at most one per core."""
    fits = available_memory() // (shard_leaves * BYTES_PER_LEAF)
    return int(max(1, min(os.cpu_count() or 1, fits)))


@contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None, processes: bool = True):
    """A Dask client: of the cluster at `scheduler`, or of a LocalCluster of `workers` single-threaded workers
    (processes, or threads of this process with processes=False), closed on exit."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - dask[distributed] is a dependency
        raise InputError("--workers/--scheduler need dask.distributed: pip install 'dask[distributed]'") from None
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="30s")
        except OSError as error:
            raise InputError(f"--scheduler {scheduler}: cannot connect: {error}") from None
        with client:
            yield client
        return
    # Proofs running side by side would each see the same free memory and hold coefficients for it: each worker
    # process gets its share of the budget instead (see prover.engine.commitment.MEMORY_BYTES).
    shares = {"env": {"POR_MEMORY_BYTES": str(memory_budget() // (workers or 1))}} if processes else {}
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes, dashboard_address=":0",
                      silence_logs=logging.ERROR, **shares) as cluster, Client(cluster) as client:
        yield client
