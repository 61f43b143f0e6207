"""Appraisal service: SKP plans, ratings and predikat under PermenPAN-RB 6/2022."""
