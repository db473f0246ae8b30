"""Notifications: background jobs, mail, in-app notices.

- ``jobs``: the ``job``/``periodic`` registries, ``enqueue_after_commit``, ``once(key)``
  (idempotency in the database).
- ``queue``: huey (SQLite in the instance folder, Redis with ``REDIS_URL``), the
  ``after_commit`` hook, ``run_burst``, the consumer.
- ``mail``: ``send_mail`` / ``send_templated`` queue an ``OutgoingMail``; the
  ``deliver_mail`` job sends it with retries; ``sweep`` finds what was left behind.
- ``schedule``: the daily retention purge.
- ``visits``: the access log grouped into visits, one notice and one mail per visit;
  ``wording`` says what a visit did; ``notices``: a share about to expire, a passport about to
  be purged (mails to the holder).
- ``cli``: ``flask --app wsgi worker [--burst] [--schedule]``.
"""
