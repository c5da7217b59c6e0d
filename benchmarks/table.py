"""The one table `make bench` prints: a figure per row, with its floor or goal beside it."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field


@dataclass
class Table:
    rows: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, name: str, figure: str, note: str = "") -> None:
        self.rows.append((name, figure, note))

    def timings(self, name: str, samples_ms: list[float], note: str = "") -> None:
        q = statistics.quantiles(samples_ms, n=20)
        figure = f"p50 {statistics.median(samples_ms):7.2f} ms  p95 {q[18]:7.2f} ms"
        self.add(name, figure, note or f"n={len(samples_ms)}")

    def section(self, title: str) -> None:
        self.rows.append((f"-- {title}", "", ""))

    def print(self) -> None:
        width = max(len(name) for name, _, _ in self.rows)
        figure_width = max(len(figure) for _, figure, _ in self.rows)
        for name, figure, note in self.rows:
            print(f"{name:<{width}}  {figure:<{figure_width}}  {note}".rstrip())
