"""Structures: the SPRO directory, API keys and signing keys."""
