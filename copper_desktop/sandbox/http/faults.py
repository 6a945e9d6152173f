"""Fault rules: the failures a client of real Copper meets (slow answers, 5xx, dropped
connections, surprise 429s, garbled bodies), injected on demand so the client's handling of
each can be tested against a real socket.

A rule is plain JSON (docs/sandbox.md, "Control API"). Which requests a rule hits is drawn from
a seeded ``random.Random``, so a failing test run can be replayed exactly.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from typing import Any

from copper_desktop.sandbox.settings import SandboxConfig

Json = dict[str, Any]

KINDS = ("latency", "error", "drop", "rate_limit", "malformed")
COMMON_KEYS = ("kind", "method", "path", "rate", "count")
EXTRA_KEYS: dict[str, tuple[str, ...]] = {
    "latency": ("ms", "jitter_ms"),
    "error": ("status",),
    "drop": ("when",),
    "rate_limit": ("retry_after",),
    "malformed": (),
}
# Keys a client may send back unchanged from GET /_sandbox/faults; they are reassigned.
ECHO_KEYS = ("id", "hits")

__all__ = ["FaultEngine", "FaultPlan", "FaultRule", "FaultRuleError", "malformed_body"]


class FaultRuleError(ValueError):
    """A rule the control API must refuse, with a message that says why."""


@dataclass
class FaultRule:
    id: int
    kind: str
    method: str | None = None
    path: str | None = None
    rate: float = 1.0
    count: int | None = None
    hits: int = 0
    ms: int = 0
    jitter_ms: int = 0
    status: int = 500
    when: str = "before"
    retry_after: float | None = None
    _regex: re.Pattern[str] | None = field(default=None, repr=False)

    def to_json(self) -> Json:
        out: Json = {
            "id": self.id,
            "kind": self.kind,
            "method": self.method,
            "path": self.path,
            "rate": self.rate,
            "count": self.count,
            "hits": self.hits,
        }
        for key in EXTRA_KEYS[self.kind]:
            out[key] = getattr(self, key)
        return out

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method.upper():
            return False
        return self._regex is None or self._regex.search(path) is not None

    @property
    def acts_after(self) -> bool:
        """Whether the rule needs the route's answer (so the route runs and commits first)."""
        return self.kind == "malformed" or (self.kind == "drop" and self.when == "after")


def parse_rule(data: Any, rule_id: int) -> FaultRule:
    """Validate one rule from the control API; unknown keys and wrong types are refused so a
    typo never silently installs a rule that does nothing."""
    if not isinstance(data, dict):
        raise FaultRuleError("a fault rule must be a JSON object")
    kind = data.get("kind")
    if kind not in KINDS:
        raise FaultRuleError(f"kind must be one of {', '.join(KINDS)}")
    allowed = {*COMMON_KEYS, *EXTRA_KEYS[kind], *ECHO_KEYS}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise FaultRuleError(f"unknown keys for a {kind} rule: {', '.join(unknown)}")
    rule = FaultRule(id=rule_id, kind=kind)

    method = data.get("method")
    if method is not None:
        if not isinstance(method, str) or not method.strip():
            raise FaultRuleError("method must be an HTTP method or null")
        rule.method = method.strip().upper()
    path = data.get("path")
    if path is not None:
        if not isinstance(path, str):
            raise FaultRuleError("path must be a regular expression or null")
        try:
            rule._regex = re.compile(path)
        except re.error as e:
            raise FaultRuleError(f"path is not a valid regular expression: {e}") from None
        rule.path = path
    rule.rate = _number(data, "rate", 1.0, low=0.0, high=1.0)
    if data.get("count") is not None:
        rule.count = _integer(data, "count", 1, low=1)

    if kind == "latency":
        rule.ms = _integer(data, "ms", 0, low=0)
        rule.jitter_ms = _integer(data, "jitter_ms", 0, low=0)
    elif kind == "error":
        rule.status = _integer(data, "status", 500, low=400, high=599)
    elif kind == "drop":
        when = data.get("when", "before")
        if when not in ("before", "after"):
            raise FaultRuleError('when must be "before" or "after"')
        rule.when = when
    elif kind == "rate_limit" and data.get("retry_after") is not None:
        rule.retry_after = _number(data, "retry_after", 0.0, low=0.0)
    return rule


def _number(
    data: Json, key: str, default: float, *, low: float, high: float | None = None
) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FaultRuleError(f"{key} must be a number")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise FaultRuleError(f"{key} must be {bounds}")
    return float(value)


def _integer(data: Json, key: str, default: int, *, low: int, high: int | None = None) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise FaultRuleError(f"{key} must be an integer")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise FaultRuleError(f"{key} must be {bounds}")
    return value


def startup_rules(config: SandboxConfig) -> list[Json]:
    """The rules the CLI flags stand for (--latency-ms, --error-rate, ...)."""
    rules: list[Json] = []
    if config.latency_ms or config.latency_jitter_ms:
        rules.append(
            {"kind": "latency", "ms": config.latency_ms, "jitter_ms": config.latency_jitter_ms}
        )
    if config.error_rate:
        rules.append({"kind": "error", "rate": config.error_rate})
    if config.drop_rate:
        rules.append({"kind": "drop", "rate": config.drop_rate})
    if config.malformed_rate:
        rules.append({"kind": "malformed", "rate": config.malformed_rate})
    return rules


@dataclass
class FaultPlan:
    """What the faults do to one request: a delay, then at most one rule acting instead of the
    route (``before``) or on its answer (``after``)."""

    delay_s: float = 0.0
    before: FaultRule | None = None
    after: FaultRule | None = None


class FaultEngine:
    """The active rules and the seeded random source that decides which requests they hit."""

    def __init__(self, seed: int = 0, rules: list[Json] | None = None) -> None:
        self._seed = seed
        self._rng = random.Random(seed)
        self._rules: list[FaultRule] = []
        self._next_id = 1
        for rule in rules or []:
            self.add(rule)

    def rules(self) -> list[Json]:
        return [r.to_json() for r in self._rules]

    def add(self, data: Any) -> Json:
        rule = parse_rule(data, self._next_id)
        self._next_id += 1
        self._rules.append(rule)
        return rule.to_json()

    def replace(self, rules: Any) -> list[Json]:
        """All or nothing: one bad rule leaves the current rules in place."""
        if not isinstance(rules, list):
            raise FaultRuleError("rules must be a list")
        parsed = [parse_rule(r, self._next_id + i) for i, r in enumerate(rules)]
        self._next_id += len(parsed)
        self._rules = parsed
        return self.rules()

    def clear(self) -> None:
        self._rules = []

    def reset(self) -> None:
        """No rules and a fresh random source, so a run after reset replays identically."""
        self._rules = []
        self._rng = random.Random(self._seed)

    def plan(self, method: str, path: str) -> FaultPlan:
        """Decide the faults for one request. Latency rules add up; of the rules that replace
        or spoil the answer the first that hits wins, and later ones are not drawn (their
        ``count`` is not spent)."""
        plan = FaultPlan()
        for rule in list(self._rules):
            if rule.acts_after or not rule.matches(method, path):
                continue
            if rule.kind == "latency":
                if self._hit(rule):
                    jitter = self._rng.uniform(0, rule.jitter_ms) if rule.jitter_ms else 0.0
                    plan.delay_s += (rule.ms + jitter) / 1000
            elif plan.before is None and self._hit(rule):
                plan.before = rule
        if plan.before is None:
            for rule in list(self._rules):
                if rule.acts_after and rule.matches(method, path) and self._hit(rule):
                    plan.after = rule
                    break
        return plan

    def _hit(self, rule: FaultRule) -> bool:
        if rule.rate <= 0 or (rule.rate < 1 and self._rng.random() >= rule.rate):
            return False
        rule.hits += 1
        if rule.count is not None and rule.hits >= rule.count:
            self._rules.remove(rule)
        return True


def malformed_body(body: bytes) -> bytes:
    """The answer cut in half: starts like JSON, never parses."""
    cut = body[: len(body) // 2]
    try:
        json.loads(cut)
    except ValueError:
        if cut.strip():
            return cut
    return b'{"truncated'
