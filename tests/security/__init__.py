"""Hostile-input tests: every trust boundary tried as an attacker would, against a running hub."""
