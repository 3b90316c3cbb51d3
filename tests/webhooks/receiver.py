"""A webhook receiver on loopback, as a provider's system would run one: it records every
request and answers 200, or what it is told to answer first."""

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict:
        return json.loads(self.body)

    def signed_with(self, secret: str, tolerance: int = 300) -> bool:
        """Check the request as docs/webhooks.md tells a receiver to."""
        timestamp = self.headers["X-Portfolio-Timestamp"]
        if abs(time.time() - int(timestamp)) > tolerance:
            return False
        expected = hmac.new(
            secret.encode(), timestamp.encode() + b"." + self.body, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest("sha256=" + expected, self.headers["X-Portfolio-Signature"])


class Receiver:
    def __init__(self):
        self.received: list[Received] = []
        self.answers: list[int] = []  # answered in turn before 200s
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.received.append(Received(self.path, dict(self.headers), body))
                    status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header(
                        "Location", f"http://127.0.0.1:{self.server.server_port}/elsewhere"
                    )
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/portfolio/events"

    def answer(self, *statuses: int) -> None:
        """Answer the next requests with these statuses, then 200."""
        with self.lock:
            self.answers.extend(statuses)

    def events(self, path: str = "/portfolio/events") -> list[str]:
        return [r.headers["X-Portfolio-Event"] for r in self.received if r.path == path]

    def wait_for(self, count: int, seconds: float = 30) -> list[Received]:
        deadline = time.monotonic() + seconds
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.received)

    def start(self) -> "Receiver":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
