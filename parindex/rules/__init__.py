"""The rule kinds: one module each, registered here by name.

``KINDS`` lists every kind in the order the docs, the scorer's columns and the generator use
(each kind's ``order``, its section number in docs/criteria-format.md); ``Rule`` is the pydantic
discriminated union of their models (a criteria file's ``kind:`` picks one); :func:`kind_of`
finds a kind by its name or by a rule. Every module of this package but ``base`` is a kind and
is found here by itself: adding a kind is writing its module (a
:class:`~parindex.rules.base.Kind` subclass, its rule model and ``KIND``), documenting it in
docs/criteria-format.md and testing it.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import Field

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


def _discover() -> tuple[Kind, ...]:
    """The ``KIND`` of every module of this package but ``base``, in their ``order``."""
    found = [
        importlib.import_module(f"{__name__}.{m.name}").KIND
        for m in pkgutil.iter_modules(__path__)
        if m.name != "base"
    ]
    return tuple(sorted(found, key=lambda k: k.order))


#: every kind, in registry order
KINDS: tuple[Kind, ...] = _discover()
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
