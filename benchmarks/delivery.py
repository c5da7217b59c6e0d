"""The queue worker under the latency model, against a bare sequential SES loop in the same run.

On in-process moto the emulator's own work (parsing each DynamoDB expression, storing each
email) runs on the worker's interpreter, under the one lock Python threads share: however
well the records of a batch overlap their waits, a batch cannot take less than its CPU time.
The table prints that CPU time (the emulator's included, and moto's share of it, measured
inside moto's request handling) and the ceiling it sets beside the goal, so a miss can be
told from a slow worker.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

from chalice.test import Client
from moto.core.botocore_stubber import BotocoreStubber

from benchmarks.latency import DELAYS, LATENCY, SES_SECONDS, critical_path
from benchmarks.sections import job_record, post, timed
from benchmarks.table import Table
from chalicelib import aws, worker
from chalicelib.mail.composing import QueuedEmail

BATCH = 10
ROUNDS = 9
_ids = iter(range(10**9))


def email_records(count: int) -> list[dict[str, Any]]:
    records = []
    for _ in range(count):
        email = QueuedEmail(
            f"lat-{next(_ids)}", "Hi", "no-reply@example.com", ("a@example.com",), "t", "<p>h</p>"
        )
        record = job_record("x")
        record["body"] = email.to_json()
        records.append(record)
    return records


def job_records(count: int) -> list[dict[str, Any]]:
    return [job_record("susan@example.com") for _ in range(count)]


def _batch_ms(make: Callable[[int], list[dict[str, Any]]], size: int, rounds: int) -> list[float]:
    """Wall time of `rounds` batches of `size` records (each made before its clock starts)."""
    samples = []
    for _ in range(rounds):
        event = {"Records": make(size)}
        started = time.perf_counter()
        worker.handle_batch(event)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


@contextlib.contextmanager
def _emulator_cpu() -> Iterator[list[float]]:
    """Thread CPU seconds spent inside moto's handling of each call, while the block runs."""
    spent: list[float] = []
    original = BotocoreStubber.__call__

    def measured(self: BotocoreStubber, event_name: str, request: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return original(self, event_name, request, **kwargs)
        finally:
            spent.append(time.thread_time() - started)

    BotocoreStubber.__call__ = measured  # type: ignore[method-assign]
    try:
        yield spent
    finally:
        BotocoreStubber.__call__ = original  # type: ignore[method-assign]


def _cpu_ms(make: Callable[[int], list[dict[str, Any]]]) -> tuple[float, float]:
    """CPU time per record of this process, and the emulator's share of it, the model off."""
    samples, emulator = [], []
    for _ in range(5):
        event = {"Records": make(BATCH)}
        with _emulator_cpu() as spent:
            started = time.process_time()
            worker.handle_batch(event)
            samples.append((time.process_time() - started) * 1000 / BATCH)
        emulator.append(sum(spent) * 1000 / BATCH)
    return statistics.median(samples), statistics.median(emulator)


def _modelled(records: list[dict[str, Any]]) -> tuple[float, float, int]:
    """(critical path, summed, calls) of one record's modelled AWS time, in seconds."""
    recorded = LATENCY.record()
    LATENCY.enabled = True
    try:
        worker.handle_batch({"Records": records})
    finally:
        LATENCY.enabled = LATENCY.recording = False
    summed = sum(DELAYS.get(call.split(".")[0], 0.0) for call, _ in recorded)
    return critical_path(LATENCY.spans), summed, len(recorded)


def worker_latency(table: Table, client: Client) -> None:
    """The worker vs a bare sequential SES loop, both with the latency model on."""
    table.section("latency model: DynamoDB 5 ms, SQS 10 ms, SES 60 ms per call")
    mime = QueuedEmail("bare", "Hi", "no-reply@example.com", ("a@example.com",), "t", "h").to_mime(
        "M"
    )
    ses, data = aws.ses(), mime.as_bytes()

    def bare_send() -> None:
        ses.send_raw_email(
            Source="no-reply@example.com", Destinations=["a@example.com"], RawMessage={"Data": data}
        )

    kinds = {"emails": email_records, "reset jobs": job_records}
    for make in kinds.values():  # warm: every client and the record threads made once
        worker.handle_batch({"Records": make(BATCH)})
    cpu = {name: _cpu_ms(make) for name, make in kinds.items()}
    LATENCY.enabled = True
    try:
        bare = timed(bare_send, 30)
        batches = {name: _batch_ms(make, BATCH, ROUNDS) for name, make in kinds.items()}
        alone = {name: _batch_ms(make, 1, 10) for name, make in kinds.items()}
        request = timed(
            lambda: post(client, "/api/password-reset", {"email": "susan@example.com"}), 10
        )
    finally:
        LATENCY.enabled = False
    send_ms = statistics.median(bare)
    bare_rate = 1000 / send_ms
    for name, samples in batches.items():
        rate = BATCH * 1000 / statistics.median(samples)
        total, emulator = cpu[name]
        ceiling = 1000 / total
        table.add(
            f"worker, batches of {BATCH} {name}",
            f"{rate:7.1f} /s",
            f"{rate / bare_rate:5.2f}x the bare SES loop ({bare_rate:.1f}/s); goal >= 5x",
        )
        table.add(
            "  CPU per record, the emulator's included",
            f"{total:7.1f} ms",
            f"one interpreter: at most {ceiling:.0f}/s = {ceiling / bare_rate:.2f}x the bare loop",
        )
        table.add(
            "  of which moto's own handling of the calls",
            f"{emulator:7.1f} ms",
            f"the worker's own {total - emulator:.1f} ms alone would allow "
            f"{1000 / (total - emulator) / bare_rate:.0f}x",
        )
    for name, samples in alone.items():
        ms = statistics.median(samples)
        table.add(
            f"worker, one of the {name} alone",
            f"{ms:7.1f} ms",
            f"{ms / send_ms:5.2f}x one bare send ({send_ms:.1f} ms)",
        )
    for name, make in kinds.items():
        path, summed, calls = _modelled(make(1))
        table.add(
            f"worker, AWS time per one of the {name} (modelled)",
            f"{path * 1000:7.1f} ms",
            f"{path / SES_SECONDS:5.2f}x the send; goal <= 1.25x ({calls} calls, "
            f"{summed * 1000:.0f} ms if made one after another)",
        )
    table.add("POST /api/password-reset with latency", f"{statistics.median(request):7.1f} ms", "")
