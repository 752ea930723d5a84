"""What the agency's, the panel's and the secretariat's pages share about a criteria set: its
pages (one per field, plus one for the bonus and penalty items), the page of a leaf, a leaf by
code, and the outcome of saving a page of leaves."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from werkzeug.exceptions import NotFound

from parindex.criteria import Leaf, LoadedSet

EXTRA_PAGE = "thuong-tru"  # the page of bonus and penalty items


@dataclass
class PageRef:
    code: str
    title: str


def pages_of(loaded: LoadedSet) -> list[PageRef]:
    pages = [PageRef(f.code, f"{f.code}. {f.name}") for f in loaded.model.fields]
    if loaded.extra_by_code:
        pages.append(PageRef(EXTRA_PAGE, "Điểm thưởng, điểm trừ"))
    return pages


def page_of_leaf(loaded: LoadedSet, code: str) -> str:
    if code in loaded.leaf_by_code:
        return loaded.leaf_by_code[code][0].code
    return EXTRA_PAGE


def find_leaf(loaded: LoadedSet, code: str) -> Leaf:
    if code in loaded.leaf_by_code:
        return loaded.leaf_by_code[code][2]
    if code in loaded.extra_by_code:
        return loaded.extra_by_code[code][1]
    raise NotFound(f"Không có tiêu chí mã {code}.")


@dataclass
class SaveOutcome:
    """What a save did: the leaves written, refused for bad input or a conflict, the messages."""

    saved: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    flashes: list[tuple[str, str]] = field(default_factory=list)
    forms: dict[str, Any] = field(default_factory=dict)  # leaf → its form (self or appraisal)
    #: leaf → the labels of the figures a "did not arise" claim cleared (self-assessment)
    cleared: dict[str, list[str]] = field(default_factory=dict)
    status: int = 200

    @property
    def clean(self) -> bool:
        """Nothing to show again: the page can be reloaded from the database."""
        return self.status == 200 and not self.forms
