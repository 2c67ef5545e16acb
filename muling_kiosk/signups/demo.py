"""Demo data of the signups feature (idempotent)."""


def seed_demo_signups() -> list[str]:
    return []
