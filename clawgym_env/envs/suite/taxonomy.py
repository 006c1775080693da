"""The task taxonomy: scenarios (what the user is doing) and operation categories (what the agent does).

Both come from the seeds of the ClawGym synthesis pipeline. Every task
family declares one scenario and one or more operation categories; a task's
``metadata`` carries their values, and ``clawgym list --stats`` counts them.
"""

from __future__ import annotations

import enum

__all__ = ["Operation", "Scenario"]


class Scenario(str, enum.Enum):
    """What the user is doing when they ask (the task's ``metadata["category"]``)."""

    OFFICE_DAILY = "office_daily"
    CONTENT_COMMUNICATION = "content_communication"
    INFORMATION_RETRIEVAL = "information_retrieval"
    ANALYSIS_DECISION = "analysis_decision"
    MESSAGING_COLLABORATION = "messaging_collaboration"
    AUTOMATION_WORKFLOWS = "automation_workflows"
    SOFTWARE_DEVELOPMENT = "software_development"
    SYSTEMS_INFRASTRUCTURE = "systems_infrastructure"
    PLANNING_KNOWLEDGE = "planning_knowledge"
    REASONING_TECHNICAL = "reasoning_technical"

    @property
    def label(self) -> str:
        return _SCENARIO_LABELS[self]


class Operation(str, enum.Enum):
    """What the agent has to do with the workspace."""

    FILE_CONTENT = "file_content"
    SYSTEM_ENVIRONMENT = "system_environment"
    DATA_ANALYSIS = "data_analysis"
    COMMUNICATION = "communication"
    DEVELOPMENT = "development"

    @property
    def label(self) -> str:
        return _OPERATION_LABELS[self]


_SCENARIO_LABELS = {
    Scenario.OFFICE_DAILY: "office and daily tasks",
    Scenario.CONTENT_COMMUNICATION: "content and external communication",
    Scenario.INFORMATION_RETRIEVAL: "information retrieval and collection (offline)",
    Scenario.ANALYSIS_DECISION: "analysis and decision support",
    Scenario.MESSAGING_COLLABORATION: "messaging and collaboration",
    Scenario.AUTOMATION_WORKFLOWS: "automation and workflows",
    Scenario.SOFTWARE_DEVELOPMENT: "software development",
    Scenario.SYSTEMS_INFRASTRUCTURE: "systems and infrastructure",
    Scenario.PLANNING_KNOWLEDGE: "planning and knowledge organization",
    Scenario.REASONING_TECHNICAL: "reasoning and technical problem solving",
}

_OPERATION_LABELS = {
    Operation.FILE_CONTENT: "file and content handling (read, write structured results, edit documents)",
    Operation.SYSTEM_ENVIRONMENT: "system and environment operations (inspect files and directories)",
    Operation.DATA_ANALYSIS: "data extraction and analysis (extract, filter/sort/rank, statistics)",
    Operation.COMMUNICATION: "communication and coordination (draft, rewrite for tone, notes, reports)",
    Operation.DEVELOPMENT: "development and execution (run scripts, modify code or config, run tests)",
}
