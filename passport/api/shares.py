"""Sharing endpoints: /api/v1/me/shares, /api/v1/me/access-log, /api/v1/shared/{token}."""
