"""One OpenAI-compatible chat-completions client with the safeguards a paid, rate-limited
service needs: a timeout per request, retries with exponential back-off on 429, 5xx,
timeouts and dropped connections, and token and cost accounting per answer.

Model, endpoint and key come from the environment (`OPENAI_API_KEY`,
`ECGPAPER_LLM_MODEL`, `ECGPAPER_LLM_BASE_URL`). The key is read by the `openai` package
itself and never passes through, or is stored by, this project.
"""

from __future__ import annotations

import os
import random
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

DEFAULT_MODEL = "gpt-4o"
# Sampling parameters sent with every request; they are part of each answer's cache key.
DEFAULT_PARAMS = {"temperature": 0.0, "max_tokens": 120, "detail": "high"}
# US dollars per million input and output tokens (OpenAI's list prices for these models,
# 2025); ECGPAPER_LLM_PRICE="IN,OUT" sets them for any other model or a price change.
PRICES_PER_MTOK = {"gpt-4o": (2.50, 10.00), "gpt-4o-mini": (0.15, 0.60)}


class LLMError(RuntimeError):
    """A request that failed for good (after retries, or not worth retrying)."""


class EndpointError(LLMError):
    """The endpoint refuses every request (bad key, no access, unknown model): stop."""


def redact(text: str) -> str:
    """An error message without the key (some services echo part of it back)."""
    key = os.environ.get("OPENAI_API_KEY")
    if key:
        text = text.replace(key, "***")
    return re.sub(r"sk-[A-Za-z0-9_\-*]{4,}", "sk-***", text)


@dataclass(frozen=True)
class Endpoint:
    model: str = DEFAULT_MODEL
    base_url: str | None = None          # None: the openai package's default (api.openai.com)
    timeout_s: float = 60.0
    max_retries: int = 5
    backoff_s: float = 2.0               # first wait; doubles each retry, capped at 60 s
    concurrency: int = 4
    params: dict = field(default_factory=lambda: dict(DEFAULT_PARAMS))

    @property
    def host(self) -> str:
        """scheme://host[:port] of the endpoint, without any credentials or path."""
        if not self.base_url:
            return "https://api.openai.com"
        parts = urlsplit(self.base_url)
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.hostname}{port}"


def endpoint_from_env(**overrides) -> Endpoint:
    """The endpoint named by the environment; a missing key is an error naming the variable."""
    if not os.environ.get("OPENAI_API_KEY"):
        raise RuntimeError("OPENAI_API_KEY is not set: export the API key of your "
                           "OpenAI-compatible endpoint in OPENAI_API_KEY (and, for another "
                           "service, its URL in ECGPAPER_LLM_BASE_URL)")
    model = os.environ.get("ECGPAPER_LLM_MODEL") or DEFAULT_MODEL
    base_url = os.environ.get("ECGPAPER_LLM_BASE_URL") or None
    if base_url and urlsplit(base_url).scheme not in ("http", "https"):
        raise ValueError(f"ECGPAPER_LLM_BASE_URL: {base_url!r} is not an http(s) URL, "
                         "expected e.g. https://api.openai.com/v1")
    fields = {k: v for k, v in overrides.items() if v is not None}
    return Endpoint(model=model, base_url=base_url, **fields)


def make_client(endpoint: Endpoint):
    """The official client with its own retries off (ours count and log them)."""
    import openai
    return openai.OpenAI(base_url=endpoint.base_url, timeout=endpoint.timeout_s,
                         max_retries=0)


@dataclass(frozen=True)
class Answer:
    text: str
    finish_reason: str | None
    model: str                           # the model name the endpoint reports
    prompt_tokens: int
    completion_tokens: int
    attempts: int
    seconds: float


def _retryable(exc: Exception) -> bool:
    import openai
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError,
                        openai.RateLimitError)):
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code >= 500


def _wait(exc: Exception, attempt: int, endpoint: Endpoint) -> float:
    """Exponential back-off with a little jitter; a server's Retry-After wins if longer."""
    delay = min(endpoint.backoff_s * 2 ** attempt, 60.0) * (1 + 0.1 * random.random())
    response = getattr(exc, "response", None)
    try:
        after = float(response.headers.get("retry-after")) if response is not None else 0.0
    except (TypeError, ValueError):
        after = 0.0
    return max(delay, min(after, 60.0))


def ask(client, endpoint: Endpoint, messages: list[dict]) -> Answer:
    """One chat completion, retried on transient failures; LLMError when it gives up."""
    params = dict(endpoint.params)
    params.pop("detail", None)          # travels inside the image parts, not as a parameter
    start = time.perf_counter()
    for attempt in range(endpoint.max_retries + 1):
        try:
            resp = client.chat.completions.create(model=endpoint.model, messages=messages,
                                                  **params)
            break
        except Exception as exc:        # noqa: BLE001 - classified just below
            if not _retryable(exc):
                status = getattr(exc, "status_code", None)
                kind = EndpointError if status in (401, 403, 404) else LLMError
                raise kind(f"{endpoint.host}: request rejected ({endpoint.model}): "
                           f"{redact(str(exc))}") from None
            if attempt == endpoint.max_retries:
                raise LLMError(f"{endpoint.host}: gave up after {attempt + 1} attempts: "
                               f"{type(exc).__name__}: {redact(str(exc))}") from None
            time.sleep(_wait(exc, attempt, endpoint))
    choice = resp.choices[0] if resp.choices else None
    message = choice.message if choice else None
    text = (message.content or "") if message else ""
    refusal = getattr(message, "refusal", None) if message else None
    usage = resp.usage
    return Answer(text=text if text or not refusal else refusal,
                  finish_reason="refusal" if refusal and not text else
                  (choice.finish_reason if choice else None),
                  model=resp.model or endpoint.model,
                  prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
                  completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
                  attempts=attempt + 1, seconds=round(time.perf_counter() - start, 3))


def price(model: str) -> tuple[float, float] | None:
    """(input, output) US dollars per million tokens, or None when unknown."""
    env = os.environ.get("ECGPAPER_LLM_PRICE")
    if env:
        try:
            a, b = (float(v) for v in env.split(","))
        except ValueError:
            raise ValueError(f"ECGPAPER_LLM_PRICE: {env!r}, expected two numbers 'IN,OUT' "
                             "(US dollars per million input and output tokens)") from None
        return a, b
    for name in sorted(PRICES_PER_MTOK, key=len, reverse=True):  # gpt-4o-mini before gpt-4o
        if model == name or model.startswith(name + "-2"):
            return PRICES_PER_MTOK[name]
    return None


def cost_usd(model: str, prompt_tokens: int, completion_tokens: int) -> float | None:
    p = price(model)
    return None if p is None else (prompt_tokens * p[0] + completion_tokens * p[1]) / 1e6
