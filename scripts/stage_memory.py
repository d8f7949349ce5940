"""Peak resident memory per prover stage, for the benchmarks: a `progress` callback that also samples VmRSS.

ru_maxrss gives one number for the whole process; this attributes it. A daemon thread reads /proc/self/status
every few milliseconds (Linux only) and charges each sample to the stage last reported, so a stage's peak is the
largest resident size seen while it ran (arrays it inherited from earlier stages included).
"""
from __future__ import annotations

import threading
import time

INTERVAL_S = 0.005


def resident_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class StageMemory:
    """Call it with a stage name (as `prove(..., progress=...)` does); `report()` lists each stage's peak RSS
    and wall time, in order."""

    def __init__(self) -> None:
        self.stages: list[list] = []  # [name, started, seconds, peak bytes]
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self("start")
        threading.Thread(target=self._sample, daemon=True, name="stage-memory").start()

    def __call__(self, name: str) -> None:
        now, rss = time.perf_counter(), resident_bytes()
        with self._lock:
            if self.stages:
                last = self.stages[-1]
                last[2], last[3] = now - last[1], max(last[3], rss)
            self.stages.append([name, now, 0.0, rss])

    def _sample(self) -> None:
        while not self._stop.wait(INTERVAL_S):
            rss = resident_bytes()
            with self._lock:
                self.stages[-1][3] = max(self.stages[-1][3], rss)

    def stop(self) -> None:
        self("end")
        self._stop.set()

    @property
    def peak(self) -> int:
        return max(stage[3] for stage in self.stages)

    def report(self) -> str:
        width = max((len(name) for name, *_ in self.stages[:-1]), default=0)
        rows = [f"  {name:<{width}} {seconds:8.2f} s  peak {peak / 2**30:6.2f} GiB"
                for name, _, seconds, peak in self.stages[:-1]]
        return "\n".join(rows)
