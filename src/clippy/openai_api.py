"""The one way Clippy reaches an OpenAI-compatible API (Groq, OpenAI, a local server): the
official ``openai`` client with a configurable base URL. Used by the LLM judge and the
remote transcriber; retries are the caller's, so each decides what a late answer costs."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openai import OpenAI

__all__ = ["make_client"]


def make_client(base_url: str, api_key: str, timeout: float) -> OpenAI:
    """A client for ``base_url`` that never retries on its own."""
    from openai import OpenAI  # imported on use: the offline default never needs it

    # The client insists on a key; local servers ignore the one they get.
    return OpenAI(base_url=base_url, api_key=api_key or "local", timeout=timeout, max_retries=0)
