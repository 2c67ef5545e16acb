"""What several audiences of the signups pages share: who counts as staff and as a manager,
the way an audience module declares its routes, reading a form field, and the words the
templates need."""

from collections.abc import Callable

from flask import Blueprint, request

from ...staff.models import ADMIN, FACILITATOR, VOLUNTEER
from .. import services

ANY_STAFF = (ADMIN, FACILITATOR, VOLUNTEER)
MANAGERS = (ADMIN, FACILITATOR)


class Routes:
    """The routes of one audience module, declared as on a blueprint (@routes.get(…)) and put
    on the feature's one blueprint by views/__init__.py. The module cannot import that
    blueprint itself: it would import the package that imports it, a cycle."""

    def __init__(self):
        self.rules: list[tuple[str, Callable, dict]] = []

    def route(self, rule: str, **options):
        def declare(view: Callable) -> Callable:
            self.rules.append((rule, view, options))
            return view

        return declare

    def get(self, rule: str, **options):
        return self.route(rule, methods=["GET"], **options)

    def post(self, rule: str, **options):
        return self.route(rule, methods=["POST"], **options)

    def register(self, bp: Blueprint) -> None:
        for rule, view, options in self.rules:
            bp.add_url_rule(rule, view_func=view, **options)


def form_text(name: str, limit: int = 100) -> str:
    """A form field as typed, cut to a length no rule accepts more of."""
    return request.form.get(name, "")[:limit]


def signups_context() -> dict:
    """Why a class cannot be joined or checked in, in words, for every signups template."""
    return {"not_joinable": services.NOT_JOINABLE, "checkin_problems": services.CHECKIN_PROBLEMS}
