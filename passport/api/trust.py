"""Trust endpoints: /api/v1/me/export, /api/v1/verify, DELETE /api/v1/me."""
