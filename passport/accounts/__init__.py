"""Accounts: registration, login, API tokens, password reset, roles."""
