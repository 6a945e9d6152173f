"""QuietCollector (issue 14.8): full garbage collections wait for a quiet moment, or at most
`max_wait_s`; Python's automatic one is off while it runs. A fake clock and a counting
`collect` stand in for time and the collector, so nothing here depends on timing."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from copper_desktop.models.quiet_collector import DUE, NEVER, QuietCollector


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Source:
    """A client's observer list (`CopperClient.subscribe`)."""

    def __init__(self) -> None:
        self.observers: list[Callable[[Any], None]] = []

    def subscribe(self, observer: Callable[[Any], None]) -> Callable[[], None]:
        self.observers.append(observer)
        return lambda: self.observers.remove(observer)

    def request(self) -> None:
        for observer in list(self.observers):
            observer(object())


@pytest.fixture
def made() -> Iterator[list[QuietCollector]]:
    collectors: list[QuietCollector] = []
    yield collectors
    for collector in collectors:
        collector.close()


def make(
    made: list[QuietCollector], clock: Clock, pending: list[int], runs: list[float]
) -> QuietCollector:
    def collect() -> None:
        runs.append(clock.now)
        pending[0] = 0

    collector = QuietCollector(
        quiet_s=1.0, max_wait_s=30.0, clock=clock, collect=collect, pending=lambda: pending[0]
    )
    made.append(collector)
    return collector


def test_a_due_collection_waits_while_requests_keep_coming_then_runs_when_quiet(
    made: list[QuietCollector],
) -> None:
    clock, pending, runs = Clock(), [DUE], []
    source = Source()
    collector = make(made, clock, pending, runs)
    collector.watch(source)
    for _ in range(20):  # ten seconds of a request every half second
        clock.now += 0.5
        source.request()
        collector.tick()
    assert runs == []
    clock.now += 0.5
    collector.tick()
    assert runs == []  # half a second of quiet is not enough
    clock.now += 0.5
    collector.tick()
    assert runs == [clock.now] and collector.collections == 1
    clock.now += 5
    collector.tick()
    assert len(runs) == 1  # nothing is due any more


def test_nothing_runs_before_a_full_collection_is_due(made: list[QuietCollector]) -> None:
    clock, pending, runs = Clock(), [DUE - 1], []
    collector = make(made, clock, pending, runs)
    clock.now += 100
    collector.tick()
    assert runs == []


def test_an_app_that_is_never_quiet_still_collects_every_max_wait(
    made: list[QuietCollector],
) -> None:
    clock, pending, runs = Clock(), [DUE], []
    source = Source()
    collector = make(made, clock, pending, runs)
    collector.watch(source)
    for _ in range(130):  # 65 seconds of non-stop requests
        clock.now += 0.5
        source.request()
        pending[0] = max(pending[0], DUE)
        collector.tick()
    assert [round(t - 1000) for t in runs] == [30, 60]


def test_start_turns_the_automatic_full_collection_off_and_close_gives_it_back(
    made: list[QuietCollector],
) -> None:
    before = gc.get_threshold()
    source = Source()
    collector = QuietCollector()
    made.append(collector)
    collector.watch(source)
    collector.start()
    assert gc.get_threshold() == (before[0], before[1], NEVER)
    assert len(source.observers) == 1
    collector.close()
    assert gc.get_threshold() == before
    assert source.observers == []
