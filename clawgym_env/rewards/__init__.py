"""Rewards: the code verifier (``reward.sh`` over the final workspace) and the rubric judge.

With ``reward="hybrid"`` an env scores tasks that have rubric rules as
``0.7 * s_code + 0.3 * s_rubric``, the rubric judged by an LLM
(:class:`RubricJudge`); tasks without rules keep their code score.
"""

from clawgym_env.rewards.code_verifier import (
    PAYLOAD_FILENAME,
    CodeVerifier,
    VerificationResult,
    parse_score,
)
from clawgym_env.rewards.judge import (
    DEFAULT_CODE_WEIGHT,
    LEVELS,
    RubricJudge,
    RubricResult,
    RuleJudgment,
    hybrid_score,
    rubric_score,
)
from clawgym_env.rewards.transcript import openclaw_transcript

__all__ = [
    "DEFAULT_CODE_WEIGHT",
    "LEVELS",
    "PAYLOAD_FILENAME",
    "CodeVerifier",
    "RubricJudge",
    "RubricResult",
    "RuleJudgment",
    "VerificationResult",
    "hybrid_score",
    "openclaw_transcript",
    "parse_score",
    "rubric_score",
]
