"""Every model, imported in one place so migrations and create_all see the whole schema."""

from .audit.models import AuditEvent
from .communities.models import Community, Subdistrict
from .staff.models import LoginThrottle, Staff, StaffSession

__all__ = ["AuditEvent", "Community", "LoginThrottle", "Staff", "StaffSession", "Subdistrict"]
