"""The data-quality rules, declared once. Each rule finds problems in the live data and says, where
it can, how to fix them. Administrators turn rules on or off and change thresholds (RuleSetting);
everything else is here.

A rule's `find(threshold)` yields `Finding`s; the scan (services.issues.issue_scan) turns them into
QualityIssue rows, keeps known ones open and resolves those no longer found."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Finding:
    entity: str                  # "customer", "contact", "order", "activity"
    record: Any                  # the model instance
    owner_id: int | None
    message: str
    field: str = ""
    current_value: str = ""
    suggested_value: str | None = None   # None: no automatic fix


@dataclass(frozen=True)
class Rule:
    code: str
    label: Promise
    description: Promise
    kind: str                                    # "validity" | "completeness" | "freshness"
    find: Callable[[int | None], Iterable[Finding]]
    default_threshold: int | None = None
    threshold_label: Promise | None = None
    threshold_min: int = 1
    threshold_max: int = 100000


RULES: dict[str, Rule] = {}


def rule_register(rule: Rule) -> Rule:
    if rule.code in RULES and RULES[rule.code] is not rule:
        raise ValueError(f"data-quality rule {rule.code} declared twice")
    RULES[rule.code] = rule
    return rule


from veracity.quality.rules import definitions  # noqa: E402,F401  (registers the rules)
