"""Rewards: the code verifier (``reward.sh`` over the final workspace).

The LLM rubric judge and the hybrid ``0.7 * s_code + 0.3 * s_rubric`` score
arrive with the benchmark work; until then hybrid tasks carry their rubric as
data and are scored by their code part alone.
"""

from clawgym_env.rewards.code_verifier import (
    PAYLOAD_FILENAME,
    CodeVerifier,
    VerificationResult,
    parse_score,
)
from clawgym_env.rewards.transcript import openclaw_transcript

__all__ = ["PAYLOAD_FILENAME", "CodeVerifier", "VerificationResult", "openclaw_transcript", "parse_score"]
