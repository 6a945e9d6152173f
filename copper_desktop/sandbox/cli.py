"""``copper-sandbox``: run the sandbox in the foreground until Ctrl+C or SIGTERM.

The banner prints the demo users' emails and tokens on purpose: the sandbox's tokens are
throwaway credentials a developer needs to paste into the desktop client.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from copper_desktop.sandbox.server import SandboxServer
from copper_desktop.sandbox.settings import SandboxConfig, default_db_path

__all__ = ["build_parser", "config_from_args", "main"]


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def build_parser() -> argparse.ArgumentParser:
    d = SandboxConfig(db=":memory:")
    p = argparse.ArgumentParser(
        prog="copper-sandbox",
        description="A Copper-compatible API server on loopback, with demo data and faults.",
    )
    p.add_argument("--host", default=d.host, help="address to listen on (default %(default)s)")
    p.add_argument("--port", type=_non_negative, default=d.port, help="0 picks a free port")
    p.add_argument(
        "--db", default=None, help=f"SQLite file or :memory: (default {default_db_path()})"
    )
    p.add_argument("--seed", type=_non_negative, default=d.seed, help="number of demo people")
    p.add_argument("--email", default=d.email, help="the admin user's email")
    p.add_argument("--token", default=d.token, help="the admin user's API token")
    p.add_argument("--rate-limit", type=_non_negative, default=d.rate_limit, help="0 disables")
    p.add_argument("--bulk-rate-limit", type=_non_negative, default=d.bulk_rate_limit)
    p.add_argument("--retry-after", action="store_true", help="send Retry-After on 429")
    p.add_argument("--latency-ms", type=_non_negative, default=d.latency_ms)
    p.add_argument("--latency-jitter-ms", type=_non_negative, default=d.latency_jitter_ms)
    p.add_argument("--error-rate", type=_rate, default=d.error_rate)
    p.add_argument("--drop-rate", type=_rate, default=d.drop_rate)
    p.add_argument("--malformed-rate", type=_rate, default=d.malformed_rate)
    p.add_argument("--close-date-order", choices=("MDY", "DMY"), default=d.close_date_order)
    p.add_argument(
        "--convert-answer",
        choices=("both", "objects", "ids"),
        default=d.convert_answer,
        help="shape of a lead conversion's answer (default %(default)s)",
    )
    return p


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    config = SandboxConfig(
        host=args.host,
        port=args.port,
        seed=args.seed,
        email=args.email,
        token=args.token,
        rate_limit=args.rate_limit,
        bulk_rate_limit=args.bulk_rate_limit,
        retry_after=args.retry_after,
        latency_ms=args.latency_ms,
        latency_jitter_ms=args.latency_jitter_ms,
        error_rate=args.error_rate,
        drop_rate=args.drop_rate,
        malformed_rate=args.malformed_rate,
        close_date_order=args.close_date_order,
        convert_answer=args.convert_answer,
    )
    if args.db is not None:
        config.db = args.db
    return config


def banner(server: SandboxServer) -> str:
    lines = [
        f"Copper sandbox: {server.base_url}",
        f"Control API:    {server.control_url}",
        f"Database:       {server.config.db}",
        "Demo users (X-PW-UserEmail / X-PW-AccessToken):",
    ]
    lines += [f"  {u['email']}  {u['token']}  ({u['name']}, id {u['id']})" for u in server.users]
    lines.append("Press Ctrl+C to stop.")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    server = SandboxServer(config_from_args(args))
    try:
        try:
            server.start()
        except (OSError, RuntimeError) as e:
            print(f"copper-sandbox: cannot start: {e}", file=sys.stderr)
            return 1
        print(banner(server), flush=True)
        while not stop.wait(0.5):
            if not server.running:
                print("copper-sandbox: the server stopped unexpectedly", file=sys.stderr)
                return 1
        print("Stopping.", flush=True)
        return 0
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
