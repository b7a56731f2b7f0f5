"""Offline bundles: one signed ZIP of records and their files that opens in a browser and loads into a hub."""
