"""Every model, imported in one place so migrations and create_all see the whole schema."""

from .audit.models import AuditEvent
from .communities.models import Community, Subdistrict
from .signups import models as signups_models  # noqa: F401 (each feature's tables)
from .staff.models import LoginThrottle, Staff, StaffSession
from .stations.models import Station
from .suggestions import models as suggestions_models  # noqa: F401
from .votes import models as votes_models  # noqa: F401

__all__ = ["AuditEvent", "Community", "LoginThrottle", "Staff", "StaffSession", "Station",
           "Subdistrict"]
