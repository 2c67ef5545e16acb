"""Pages of a list. From the database without counting the whole table: one row more than
shown tells whether there is a next page (a COUNT over a table that grows every day costs more
than the page). Or of a short list already in memory (an agenda, the board's meetings): the
kiosk pages long content with 上一页 / 下一页 instead of asking anyone to scroll."""

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


@dataclass
class ListPage(Page):
    """One page of a short list in memory, which knows how many pages there are."""

    pages: int = 1
    first: int = 0  # the position of items[0] in the whole list, from 0


def page_of_list(items, page: int, per_page: int) -> ListPage:
    """Page `page` (from 1; out of range → the nearest page) of `items`."""
    items = list(items)
    pages = max(1, -(-len(items) // per_page))
    page = min(max(1, page), pages)
    first = (page - 1) * per_page
    return ListPage(items=items[first:first + per_page], page=page, has_next=page < pages,
                    pages=pages, first=first)


def page_with(items, item, per_page: int) -> int:
    """The page number of `item` in `items` (1 when it is not there)."""
    items = list(items)
    return items.index(item) // per_page + 1 if item in items else 1
