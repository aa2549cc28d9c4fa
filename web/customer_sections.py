"""Extra sections of the compliance customer page, added by other areas (e.g. the exports that included them).

An area appends a `CustomerSection` whose `load(session, customer_id)` calls its own service function and
returns the template's context, or None to leave the section out. Nothing is shown for an area that has
not registered, so the page never pretends to know what it cannot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session


@dataclass(frozen=True)
class CustomerSection:
    """A titled block on the customer page, rendered by `template` with what `load` returns."""

    key: str
    title: str
    template: str
    load: Callable[[Session, str], dict[str, Any] | None]


# web/exports.py adds "Exports that included this customer".
CUSTOMER_SECTIONS: list[CustomerSection] = []


@dataclass(frozen=True)
class LoadedSection:
    """A section with its context, ready to include."""

    section: CustomerSection
    context: dict[str, Any]


def sections_for(session: Session, customer_id: str) -> list[LoadedSection]:
    """The registered sections that have something to show for this customer."""
    loaded = []
    for section in CUSTOMER_SECTIONS:
        context = section.load(session, customer_id)
        if context is not None:
            loaded.append(LoadedSection(section, context))
    return loaded
