"""Trust commands under ``flask --app wsgi passport ...`` and ``purge``."""
