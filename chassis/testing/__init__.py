"""Test support shared by every service: a pytest plugin with the common fixtures."""
