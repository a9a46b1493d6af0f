"""The access log: who looked at which customer's data, and security events.

Not a blueprint: the owner reads it at ``/staff/audit`` (jomso/staff/audit_views.py). Other
areas write to it only through ``record_personal_data_access`` and ``record_event``.
"""

from jomso.audit import signals
from jomso.audit.models import AccessLogEntry, AuditKind
from jomso.audit.services import (
    record_event,
    record_personal_data_access,
    record_personal_data_export,
)

signals.connect()

# Last: it imports the accounts package, which imports modules that use the names above.
from jomso.audit import data_rights, notice, retention  # noqa: E402, F401  (register with privacy)

__all__ = [
    "AccessLogEntry",
    "AuditKind",
    "record_event",
    "record_personal_data_access",
    "record_personal_data_export",
]
