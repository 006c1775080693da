"""The ``openai`` client, imported when first needed (``pip install 'clawgym-env[rl]'``)."""

from __future__ import annotations

import os
from typing import Any

__all__ = ["make_client"]


def make_client(*, base_url: str | None, api_key: str | None, timeout_s: float, max_retries: int, user: str) -> Any:
    """An ``openai.OpenAI`` client; ``api_key`` defaults to ``$OPENAI_API_KEY``, else ``"EMPTY"`` (local servers).

    ``user`` names the caller in the error raised when ``openai`` is missing.
    """
    try:
        import openai
    except ImportError as error:
        raise ImportError(f"{user} needs the openai package: pip install 'clawgym-env[rl]'") from error
    return openai.OpenAI(
        base_url=base_url,
        api_key=api_key or os.environ.get("OPENAI_API_KEY") or "EMPTY",
        timeout=timeout_s,
        max_retries=max_retries,
    )
