"""Event consumers of the feedback service: the roster projection (whom a report names).

Only what handling a report needs is kept (see models.Employee): the event's other personal
data is not stored.
"""

from __future__ import annotations

from chassis.employees import EmployeeProjection
from services.feedback.models import Employee

EMPLOYEES = EmployeeProjection(Employee, "feedback")
HANDLERS: dict = {}
