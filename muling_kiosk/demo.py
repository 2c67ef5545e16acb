"""Demo data from the seed report (团结西路街道, Yinchuan). Idempotent: safe to run again.

Each feature adds its own seeder to SEEDERS; each returns lines to print.
"""

from .communities.services import seed_demo_communities
from .signups.demo import seed_demo_signups
from .staff.demo import seed_demo_staff
from .suggestions.demo import seed_demo_suggestions
from .votes.demo import seed_demo_votes


def _communities() -> list[str]:
    communities = seed_demo_communities()
    return ["社区: " + "、".join(c.name for c in communities)]


SEEDERS = [_communities, seed_demo_staff, seed_demo_signups, seed_demo_votes,
           seed_demo_suggestions]


def seed_demo() -> list[str]:
    lines: list[str] = []
    for seeder in SEEDERS:
        lines.extend(seeder())
    return lines
