"""Feedback service: citizens' reports and IKM surveys (SP4N-LAPOR!, PermenPAN-RB 14/2017)."""
