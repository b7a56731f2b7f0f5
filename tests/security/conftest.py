"""Fixtures shared by the security suite."""
