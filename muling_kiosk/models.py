"""Every model, imported in one place so migrations and create_all see the whole schema."""

from .communities.models import Community, Subdistrict

__all__ = ["Community", "Subdistrict"]
