"""Peak resident memory of this process and its children (a local Spark JVM is a child),
sampled by a background thread while a block runs."""

from __future__ import annotations

import threading
from types import TracebackType


def _rss_bytes() -> int:
    """Resident bytes of this process plus its children, now (0 without psutil, which the
    ``bench`` extra installs: the report then has no memory figures)."""
    try:
        import psutil
    except ImportError:
        return 0

    me = psutil.Process()
    total = me.memory_info().rss
    for child in me.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.Error:  # a child that just exited
            continue
    return int(total)


class PeakMemory:
    """``with PeakMemory() as peak: ...`` then ``peak.bytes``: the highest resident size seen
    (sampled every ``interval`` seconds, so a spike shorter than that can be missed), and
    ``peak.start_bytes``, the size when the block began."""

    def __init__(self, interval: float = 0.01):
        self.interval = interval
        self.start_bytes = 0
        self.bytes = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.bytes = max(self.bytes, _rss_bytes())

    def __enter__(self) -> PeakMemory:
        self.start_bytes = self.bytes = _rss_bytes()
        self._thread = threading.Thread(target=self._sample, name="peak-memory", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.bytes = max(self.bytes, _rss_bytes())
