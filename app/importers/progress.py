"""Progress for long imports: a bar on a terminal, plain lines in a log (nightly jobs), nothing in tests."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Stage:
    def __init__(self, progress: Progress, label: str, total: int | None) -> None:
        self.progress = progress
        self.label = label
        self.total = total
        self.done = 0
        self.started = time.monotonic()
        self._drawn = 0.0

    def advance(self, n: int) -> None:
        self.done += n
        if self.progress.bar:
            now = time.monotonic()
            if now - self._drawn >= 0.1:
                self._drawn = now
                self.progress.draw(self)

    def __enter__(self) -> Stage:
        if self.progress.bar:
            self.progress.draw(self)
        return self

    def __exit__(self, *exc) -> None:
        self.progress.finish(self, failed=exc[0] is not None)


class Progress:
    """`Progress.for_terminal()` on the CLI; `Progress()` (silent) elsewhere."""

    def __init__(self, stream: TextIO | None = None, *, bar: bool = False) -> None:
        self.stream = stream
        self.bar = bar and stream is not None
        # A dry run writes inside its transaction and rolls it all back at the end: its lines say so, so
        # "writing schools: 12 rows" never reads as a change made (an IT lead's find).
        self.dry_run = False

    @classmethod
    def for_terminal(cls, stream: TextIO = sys.stderr) -> Progress:
        return cls(stream, bar=stream.isatty())

    def stage(self, label: str, total: int | None = None) -> Stage:
        return Stage(self, label, total)

    def draw(self, stage: Stage) -> None:
        assert self.stream is not None
        if stage.total:
            share = min(stage.done / stage.total, 1.0)
            filled = int(share * 30)
            bar = "#" * filled + "-" * (30 - filled)
            text = f"\r{stage.label:<32} [{bar}] {share:4.0%} {stage.done:,}/{stage.total:,}"
        else:
            text = f"\r{stage.label:<32} {stage.done:,}"
        self.stream.write(text + "\x1b[K")
        self.stream.flush()

    def finish(self, stage: Stage, *, failed: bool) -> None:
        if self.stream is None or (stage.total == 0 and not failed):
            if self.bar and self.stream is not None:
                self.stream.write("\r\x1b[K")
            return
        seconds = time.monotonic() - stage.started
        rate = f", {stage.done / seconds:,.0f} rows/s" if seconds > 0.05 and stage.done else ""
        end = "stopped" if failed else "done; a dry run: undone at the end" if self.dry_run else "done"
        line = f"{stage.label}: {stage.done:,} row{'' if stage.done == 1 else 's'} in {seconds:.1f} s{rate} ({end})"
        self.stream.write(("\r" + line + "\x1b[K\n") if self.bar else line + "\n")
        self.stream.flush()
