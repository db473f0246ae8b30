"""Pagination of list pages and API lists: one COUNT and one page query, on any database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select

from passport.extensions import db


@dataclass
class Page:
    """One page of a list: ``items`` and where it sits in the whole."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def clamp_page(page: int, per_page: int, max_per_page: int = 100) -> tuple[int, int]:
    return max(1, int(page)), min(max(1, int(per_page)), max_per_page)


def paginate(query: Select, page: int, per_page: int) -> Page:
    """Run an ordered ``select`` of one entity for one page, with the total (two queries)."""
    page, per_page = clamp_page(page, per_page)
    total = db.session.execute(
        select(func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    items = list(
        db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).scalars().unique()
    )
    return Page(items=items, page=page, per_page=per_page, total=total)
