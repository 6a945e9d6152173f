"""The limiter and fault engine on their own, with a hand-driven clock and seeded draws, for
the edge cases the HTTP tests cannot time precisely."""

from __future__ import annotations

import json

import pytest

from copper_desktop.sandbox.http.faults import FaultEngine, FaultRuleError, malformed_body
from copper_desktop.sandbox.http.ratelimit import RateLimiter, retry_after_header
from copper_desktop.sandbox.settings import SandboxConfig


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limiter(**settings: object) -> tuple[RateLimiter, Clock, SandboxConfig]:
    config = SandboxConfig(db=":memory:", **settings)  # type: ignore[arg-type]
    clock = Clock()
    return RateLimiter(lambda: config, clock), clock, config


def test_rolling_window_admits_exactly_when_the_oldest_ages_out() -> None:
    rl, clock, _ = limiter(rate_limit=3, rate_window_s=60.0, bulk_rate_limit=0)
    for t in (0.0, 10.0, 20.0):
        clock.now = 1000.0 + t
        assert rl.check("k", "/people/search") is None
    clock.now = 1030.0
    assert rl.check("k", "/account") == pytest.approx(30.0)
    clock.now = 1059.999
    assert rl.check("k", "/account") == pytest.approx(0.001)
    clock.now = 1060.0
    assert rl.check("k", "/account") is None
    assert rl.check("k", "/account") == pytest.approx(10.0)
    assert rl.check("other", "/account") is None


def test_lowering_the_limit_at_run_time_applies_at_once() -> None:
    rl, clock, config = limiter(rate_limit=10, rate_window_s=60.0)
    for i in range(6):
        clock.now = 1000.0 + i
        assert rl.check("k", "/account") is None
    config.rate_limit = 4
    # The 4 newest of the 6 are still in the window: wait for the third (t=1002) to age out.
    assert rl.check("k", "/account") == pytest.approx(1002.0 + 60 - 1005.0)


def test_bulk_limit_is_per_second_and_only_on_bulk_paths() -> None:
    rl, clock, _ = limiter(rate_limit=0, bulk_rate_limit=3)
    for _ in range(3):
        assert rl.check("k", "/people/bulk_create") is None
    assert rl.check("k", "/companies/bulk_update") == pytest.approx(1.0)
    assert rl.check("k", "/people/search") is None
    clock.now += 1.0
    assert rl.check("k", "/leads/bulk_update") is None


def test_retry_after_is_whole_seconds_rounded_up() -> None:
    assert retry_after_header(0.0) == "1"
    assert retry_after_header(0.2) == "1"
    assert retry_after_header(1.01) == "2"
    assert retry_after_header(59.0) == "59"


def test_plan_latency_adds_up_and_first_terminal_rule_wins() -> None:
    engine = FaultEngine(seed=1)
    engine.add({"kind": "latency", "ms": 100})
    engine.add({"kind": "latency", "ms": 50, "jitter_ms": 10})
    engine.add({"kind": "error", "status": 502, "count": 1})
    engine.add({"kind": "rate_limit", "count": 1})
    engine.add({"kind": "malformed"})
    plan = engine.plan("GET", "/account")
    assert 0.150 <= plan.delay_s <= 0.160
    assert plan.before is not None and plan.before.kind == "error"
    assert plan.after is None
    # The rate_limit rule was not drawn, so its count is intact.
    plan = engine.plan("GET", "/account")
    assert plan.before is not None and plan.before.kind == "rate_limit"
    plan = engine.plan("GET", "/account")
    assert plan.before is None
    assert plan.after is not None and plan.after.kind == "malformed"
    assert [r["kind"] for r in engine.rules()] == ["latency", "latency", "malformed"]


def test_same_seed_same_hits() -> None:
    def hits(seed: int) -> list[bool]:
        engine = FaultEngine(seed=seed, rules=[{"kind": "drop", "rate": 0.3}])
        return [engine.plan("GET", "/x").before is not None for _ in range(200)]

    assert hits(7) == hits(7)
    assert hits(7) != hits(8)
    assert 30 <= sum(hits(7)) <= 90


def test_rule_ids_are_unique_and_echo_keys_are_accepted() -> None:
    engine = FaultEngine()
    a = engine.add({"kind": "error"})
    b = engine.add({"kind": "error"})
    assert a["id"] != b["id"]
    replaced = engine.replace(engine.rules())
    assert len({r["id"] for r in replaced} | {a["id"], b["id"]}) == 4
    with pytest.raises(FaultRuleError):
        engine.replace({"rules": []})


@pytest.mark.parametrize("body", [b'{"id": 1, "name": "x"}', b"[]", b"7", b"", b'"abc"'])
def test_malformed_body_never_parses(body: bytes) -> None:
    spoiled = malformed_body(body)
    assert spoiled
    with pytest.raises(ValueError):
        json.loads(spoiled)
