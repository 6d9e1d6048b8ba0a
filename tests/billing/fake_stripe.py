"""A local HTTP server that speaks the part of Stripe's API the adapter uses.

``POST /v1/checkout/sessions`` and ``POST /v1/billing_portal/sessions``: form-encoded, HTTP
Basic auth with the secret key as the user name, answer a session object or Stripe's error
envelope. Customers whose id does not start with ``cus_`` do not exist.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl

from tests.fixtures.http import QuietHandler, serving

API_KEY = "sk_test_clippy"
PRICES = {"pro": "price_pro_test", "business": "price_business_test"}


@dataclass
class FakeStripe:
    """The running server's base URL and the session forms it received."""

    base_url: str
    sessions: list[dict[str, str]] = field(default_factory=list)
    portal_sessions: list[dict[str, str]] = field(default_factory=list)


def _handler(state: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def do_POST(self) -> None:
            auth = self.headers.get("Authorization", "")
            user = ""
            if auth.startswith("Basic "):
                user = base64.b64decode(auth[6:]).decode().split(":", 1)[0]
            if user != API_KEY:
                self.reply_json(
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
                self.reply_json(
                    404, {"error": {"message": f"Unrecognized request URL {self.path}"}}
                )
                return
            price = form.get("line_items[0][price]", "")
            if price not in PRICES.values():
                self.reply_json(
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
            self.reply_json(
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
                self.reply_json(
                    400, {"error": {"type": "invalid_request_error", "message": message}}
                )
                return
            state.portal_sessions.append(form)
            sid = f"bps_test_{len(state.portal_sessions)}"
            self.reply_json(
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
    with serving(_handler(state)) as url:
        state.base_url = url
        yield state


def event(kind: str, obj: dict[str, Any], event_id: str = "evt_test_1") -> bytes:
    """A Stripe event body as Stripe sends it."""
    return json.dumps(
        {"id": event_id, "object": "event", "type": kind, "data": {"object": obj}}
    ).encode()
