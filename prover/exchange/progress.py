"""Progress an operator can follow: what runs now (stage), how much is done (count, rate, ETA).

On a terminal: a tqdm bar. Elsewhere (a log file, a pipe): a timestamped line at every stage and, from a
background thread, at least every `interval` seconds, so a monthly job's log shows it is alive during a long stage.
Thread-safe: Dask's event handler reports from another thread.
"""
from __future__ import annotations

import sys
import threading
import time

from tqdm import tqdm

HEARTBEAT_SECONDS = 30.0


class Progress:
    def __init__(self, total: int = 0, unit: str = "proofs", enabled: bool = True, stream=None,
                 terminal: bool | None = None, interval: float = HEARTBEAT_SECONDS):
        self.stream = stream or sys.stderr
        if terminal is None:
            terminal = bool(getattr(self.stream, "isatty", lambda: False)())
        self.unit, self.total, self.done, self.name = unit, total, 0, ""
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._bar = tqdm(total=total or None, unit=f" {unit}", file=self.stream, disable=not (enabled and terminal),
                         dynamic_ncols=True)
        self._logging = enabled and not terminal
        self._stop = threading.Event()
        if self._logging:
            threading.Thread(target=self._heartbeat, args=(interval,), daemon=True, name="por-progress").start()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def stage(self, name: str) -> None:
        """Show that `name` runs now."""
        with self._lock:
            self.name = name
            self._bar.set_description_str(name)
            self._log()

    def set_total(self, total: int) -> None:
        with self._lock:
            self.total = self._bar.total = total
            self._bar.refresh()

    def advance(self, count: int = 1) -> None:
        """`count` more units are done."""
        with self._lock:
            self.done += count
            self._bar.update(count)

    def note(self, text: str) -> None:
        """A message of its own line, above the bar."""
        with self._lock:
            if self._logging:
                self._write(text)
            else:
                self._bar.write(text, file=self.stream)

    def close(self) -> None:
        self._stop.set()
        self._bar.close()

    def status(self) -> str:
        """`stage | done/total unit, rate, ETA` (rate and ETA once something is done)."""
        elapsed = time.monotonic() - self.started
        text = f"{self.name} | {self.done}/{self.total or '?'} {self.unit}"
        if self.done:
            rate = self.done / elapsed
            text += f", {rate * 60:.3g}/min" if rate < 1 else f", {rate:,.0f}/s"
            if self.total:
                text += f", ETA {_duration((self.total - self.done) / rate)}"
        return f"{text}, {_duration(elapsed)} elapsed"

    def _heartbeat(self, interval: float) -> None:
        while not self._stop.wait(interval):
            with self._lock:
                self._log()

    def _log(self) -> None:
        if self._logging:
            self._write(self.status())

    def _write(self, text: str) -> None:
        self.stream.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {text}\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds // 60 % 60:02d}m"
