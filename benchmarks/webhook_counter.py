"""Counts the webhook notifications a sandbox posts, for ``bench_bulk.py`` (run by it).

Prints the port it listens on (127.0.0.1), then serves until stdin closes: ``POST /hook``
is a notification (person updates are counted per id), ``GET /counts`` answers
``{id: n}``, ``POST /clear`` starts again. A process of its own, so that its threads never
hold the benchmark's GIL (they made the UI stalls it measures).
"""

from __future__ import annotations

import json
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def serve_receiver() -> int:
    """Serve until stdin closes (see the module docstring)."""
    updates: Counter[int] = Counter()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, body: bytes = b"") -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(size) if size else b""
            with lock:
                if self.path == "/clear":
                    updates.clear()
                else:
                    try:
                        body = json.loads(raw or b"{}")
                    except ValueError:
                        body = {}
                    if isinstance(body, dict) and body.get("event") == "update":
                        updates.update(int(i) for i in body.get("ids") or ())
            self._answer()

        def do_GET(self) -> None:
            with lock:
                body = json.dumps(dict(updates)).encode()
            self._answer(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 256  # a bulk call of 10 notifies 10 times at once
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()  # until the parent closes our stdin (or dies)
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(serve_receiver())
