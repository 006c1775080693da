"""Every task family of the built-in suites, in their canonical order.

The order is part of the suites' definition: training task ``i`` belongs to
``FAMILIES[i % len(FAMILIES)]``. Append new families at the end; reordering
or removing one changes which task an id stands for (the catalog test says
so).
"""

from __future__ import annotations

from clawgym_env.envs.suite.families.expense_report import ExpenseReport
from clawgym_env.envs.suite.families.meeting_actions import MeetingActions
from clawgym_env.envs.suite.family import TaskFamily

__all__ = ["FAMILIES", "family_named"]

FAMILIES: tuple[TaskFamily, ...] = (ExpenseReport(), MeetingActions())


def family_named(name: str) -> TaskFamily:
    """The family called ``name``; ``KeyError`` lists the names."""
    for family in FAMILIES:
        if family.name == name:
            return family
    raise KeyError(f"no task family {name!r}; families: {', '.join(f.name for f in FAMILIES)}")
