"""The rule kinds: one module each, registered here by name.

``KINDS`` lists every kind in the order the docs, the scorer's columns and the generator use;
``Rule`` is the pydantic discriminated union of their models (a criteria file's ``kind:`` picks
one); :func:`kind_of` finds a kind by its name or by a rule. Adding a kind: write its module
(a :class:`~parindex.rules.base.Kind` subclass and its rule model), add it to ``_MODULES``,
document it in docs/criteria-format.md and test it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import Field

from parindex.rules import (
    deadline,
    deduction,
    graded,
    manual,
    per_item,
    proportional,
    survey,
    tiers,
    yes_no,
)
from parindex.rules.base import (
    FACT_LABELS,
    FACTS,
    NA_INT,
    Input,
    Kind,
    Rows,
    RuleModel,
    ValueProblem,
)
from parindex.rules.deadline import DeadlineRule
from parindex.rules.deduction import DeductionRule
from parindex.rules.graded import GradedRule, Level
from parindex.rules.manual import ManualRule
from parindex.rules.per_item import PerItemRule
from parindex.rules.proportional import ProportionalRule
from parindex.rules.survey import SurveyRule
from parindex.rules.tiers import Tier, TiersRule
from parindex.rules.yes_no import YesNoRule

_MODULES = (yes_no, deadline, tiers, proportional, per_item, deduction, graded, manual, survey)

#: every kind, in registry order
KINDS: tuple[Kind, ...] = tuple(m.KIND for m in _MODULES)
#: their names, as a criteria file spells them
NAMES: tuple[str, ...] = tuple(k.name for k in KINDS)
_BY_NAME = {k.name: k for k in KINDS}

if TYPE_CHECKING:
    Rule = RuleModel
else:
    #: a criteria file's rule: the model of the kind its ``kind:`` names
    Rule = Annotated[Union[tuple(k.model for k in KINDS)], Field(discriminator="kind")]  # noqa: UP007


def kind_of(rule: Any) -> Kind:
    """The kind of a rule (a rule model) or of a kind's name; KeyError for an unknown name."""
    return _BY_NAME[rule if isinstance(rule, str) else rule.kind]


__all__ = [
    "FACTS",
    "FACT_LABELS",
    "KINDS",
    "NAMES",
    "NA_INT",
    "DeadlineRule",
    "DeductionRule",
    "GradedRule",
    "Input",
    "Kind",
    "Level",
    "ManualRule",
    "PerItemRule",
    "ProportionalRule",
    "Rows",
    "Rule",
    "RuleModel",
    "SurveyRule",
    "Tier",
    "TiersRule",
    "ValueProblem",
    "YesNoRule",
    "kind_of",
]
