"""Recruitment service: CPNS selection and the roster of employees (the one owner of the roster)."""
