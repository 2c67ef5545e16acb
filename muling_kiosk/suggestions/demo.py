"""Demo data of the suggestions feature (idempotent)."""


def seed_demo_suggestions() -> list[str]:
    return []
