"""Demo data of the votes feature (idempotent)."""


def seed_demo_votes() -> list[str]:
    return []
