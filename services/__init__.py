"""The five domain services; each owns its data and talks to the others through events.

They are found by name through the wiring (`sofifi.registry`), never through each other.
"""
