"""A local HTTP server that speaks the part of Stripe's API the adapter uses.

``POST /v1/checkout/sessions`` and ``POST /v1/billing_portal/sessions``: form-encoded, HTTP
Basic auth with the secret key as the user name, answer a session object or Stripe's error
envelope. Customers whose id does not start with ``cus_`` do not exist.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

API_KEY = "sk_test_clippy"
PRICES = {"pro": "price_pro_test", "business": "price_business_test"}


@dataclass
class FakeStripe:
    """The running server's base URL and the session forms it received."""

    base_url: str
    sessions: list[dict[str, str]] = field(default_factory=list)
    portal_sessions: list[dict[str, str]] = field(default_factory=list)


def _handler(state: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:  # keep test output quiet
            pass

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            auth = self.headers.get("Authorization", "")
            user = ""
            if auth.startswith("Basic "):
                user = base64.b64decode(auth[6:]).decode().split(":", 1)[0]
            if user != API_KEY:
                self._reply(
                    401,
                    {"error": {"type": "invalid_request_error", "message": "Invalid API Key"}},
                )
                return
            length = int(self.headers.get("Content-Length", "0"))
            form = dict(parse_qsl(self.rfile.read(length).decode()))
            if self.path == "/v1/billing_portal/sessions":
                self._portal(form)
                return
            if self.path != "/v1/checkout/sessions":
                self._reply(404, {"error": {"message": f"Unrecognized request URL {self.path}"}})
                return
            price = form.get("line_items[0][price]", "")
            if price not in PRICES.values():
                self._reply(
                    400,
                    {
                        "error": {
                            "type": "invalid_request_error",
                            "message": f"No such price: '{price}'",
                        }
                    },
                )
                return
            state.sessions.append(form)
            sid = f"cs_test_{len(state.sessions)}"
            self._reply(
                200,
                {
                    "id": sid,
                    "object": "checkout.session",
                    "mode": form.get("mode"),
                    "url": f"{state.base_url}/pay/{sid}",
                    "client_reference_id": form.get("client_reference_id"),
                },
            )

        def _portal(self, form: dict[str, str]) -> None:
            customer = form.get("customer", "")
            if not customer.startswith("cus_"):
                message = f"No such customer: '{customer}'"
                self._reply(400, {"error": {"type": "invalid_request_error", "message": message}})
                return
            state.portal_sessions.append(form)
            sid = f"bps_test_{len(state.portal_sessions)}"
            self._reply(
                200,
                {
                    "id": sid,
                    "object": "billing_portal.session",
                    "customer": customer,
                    "return_url": form.get("return_url"),
                    "url": f"{state.base_url}/portal/{sid}",
                },
            )

    return Handler


@contextmanager
def running_fake_stripe() -> Iterator[FakeStripe]:
    """Start the fake Stripe API on a free loopback port for the duration of the block."""
    state = FakeStripe("")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def event(kind: str, obj: dict[str, Any], event_id: str = "evt_test_1") -> bytes:
    """A Stripe event body as Stripe sends it."""
    return json.dumps(
        {"id": event_id, "object": "event", "type": kind, "data": {"object": obj}}
    ).encode()
