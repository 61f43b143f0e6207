"""Shared test configuration: fixtures come from the chassis.testing.plugin pytest plugin."""
