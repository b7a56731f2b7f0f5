"""Offline bundles: one signed ZIP of records and files, for a browser and for another hub."""
