"""Who may use a route, declared on the route itself and enforced for every request.

Every view is decorated with @public or @staff_only(...). The before-request check refuses a
route that declares nothing, so a new route cannot be forgotten; tests/test_access.py walks the
URL map and calls each route as each kind of user against this declaration.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, current_app, request


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str] | None  # None: anyone
    description: str
    # Only an admin of the whole subdistrict (no community of their own), e.g. communities.
    subdistrict: bool = False

    @property
    def is_public(self) -> bool:
        return self.roles is None


PUBLIC = Rule(None, "public")
# Flask's own static route: public, never decorated.
BUILTIN_RULES = {"static": PUBLIC}

# Filled by the staff feature: decides whether the current visitor may use a staff rule.
_staff_checker: Callable[[Rule], object] | None = None


def public(view):
    view.access_rule = PUBLIC
    return view


def staff_only(*roles: str, subdistrict: bool = False):
    """Staff with one of these roles (in their own community, checked by the staff feature);
    subdistrict=True: only those of them who hold the whole subdistrict."""
    rule = Rule(frozenset(roles), "staff:" + ",".join(sorted(roles))
                + (":subdistrict" if subdistrict else ""), subdistrict)

    def decorate(view):
        view.access_rule = rule
        return view

    return decorate


def rule_for(endpoint: str | None) -> Rule | None:
    if endpoint in BUILTIN_RULES:
        return BUILTIN_RULES[endpoint]
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "access_rule", None)


def set_staff_checker(checker: Callable[[Rule], object]) -> None:
    global _staff_checker
    _staff_checker = checker


def enforce_access():
    """before_request: refuse undeclared routes; ask the staff feature about staff routes."""
    if request.endpoint is None:  # 404 and 405 are answered by their own handlers
        return None
    rule = rule_for(request.endpoint)
    if rule is None:
        current_app.logger.error("route %s declares no access rule", request.endpoint)
        abort(403)
    if rule.is_public:
        return None
    if _staff_checker is None:
        abort(403)
    return _staff_checker(rule)
