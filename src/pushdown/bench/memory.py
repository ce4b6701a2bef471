"""Peak resident memory of this process and its children (a local Spark JVM is a child),
sampled by a background thread while a block runs."""

from __future__ import annotations

import threading
from types import TracebackType


def _rss_bytes(children: bool = True) -> int:
    """Resident bytes of this process plus (with ``children``) its children, now (0 without
    psutil, which the ``bench`` extra installs: the report then has no memory figures)."""
    try:
        import psutil
    except ImportError:
        return 0

    me = psutil.Process()
    total = me.memory_info().rss
    for child in me.children(recursive=True) if children else []:
        try:
            total += child.memory_info().rss
        except psutil.Error:  # a child that just exited
            continue
    return int(total)


class PeakMemory:
    """``with PeakMemory() as peak: ...`` then ``peak.bytes``: the highest resident size seen
    (sampled every ``interval`` seconds, so a spike shorter than that can be missed), and
    ``peak.start_bytes``, the size when the block began; ``children=False`` leaves out child
    processes (such as a Spark JVM, whose memory is its own engine's)."""

    def __init__(self, interval: float = 0.01, *, children: bool = True):
        self.interval = interval
        self.children = children
        self.start_bytes = 0
        self.bytes = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.bytes = max(self.bytes, _rss_bytes(self.children))

    def __enter__(self) -> PeakMemory:
        self.start_bytes = self.bytes = _rss_bytes(self.children)
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
        self.bytes = max(self.bytes, _rss_bytes(self.children))
