"""Pages of a list without counting the whole table: one row more than shown tells whether
there is a next page. (A COUNT over a table that grows every day costs more than the page.)"""

from dataclasses import dataclass

from .extensions import db


@dataclass
class Page:
    items: list
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def page_of(query, page: int, per_page: int) -> Page:
    page = max(1, page)
    rows = db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)).all()
    return Page(items=list(rows[:per_page]), page=page, has_next=len(rows) > per_page)
