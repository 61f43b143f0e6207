"""Event consumers of the appraisal service: the roster projection (who appraises whom)."""

from __future__ import annotations

from chassis.employees import EmployeeProjection
from services.appraisal.models import Employee

EMPLOYEES = EmployeeProjection(Employee, "appraisal")
HANDLERS: dict = {}
