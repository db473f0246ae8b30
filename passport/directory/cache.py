"""The directory's answer cache: the JSON bodies of the public directory endpoints.

The directory is reference data that changes a few times a day and is read on every search.
Each process keeps the serialised bodies of its last answers (a bounded LRU,
``DIRECTORY_CACHE_SIZE`` entries, 256 by default, 0 turns the cache off, and at most
``DIRECTORY_CACHE_BYTES`` of bodies, 4 MB by default, so that queries that each match the
whole directory cannot grow a worker past its memory budget), keyed by the
endpoint, its parsed and normalised query, the request's language and the directory's
version (``directory.version``). A request therefore costs one query when its answer is
cached: the version's, read FIRST, so an answer built while a write commits is at worst
newer than its key, never older, and the next request sees the next version.

Time: an entry says ``open_now``, so it lives until the first change of any of its entries'
opening state (``hours.next_change``) and at most ``MAX_AGE`` seconds (the words of the
hours are those of the current week).

Every answer carries a strong ``ETag`` (a hash of the body) and ``Vary: Accept-Language,
Cookie`` (the language comes from the ``lang`` cookie or ``Accept-Language``); a matching
``If-None-Match`` answers 304 without a body.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Response, current_app, request
from flask_babel import get_locale
from werkzeug.wrappers import Response as WerkzeugResponse

from passport.db import utcnow
from passport.directory import hours
from passport.directory import version as directory_version
from passport.extensions import db
from passport.structures.models import Structure

#: Longest life of an entry, in seconds (docs/api-notes.md).
MAX_AGE = 60.0
DEFAULT_SIZE = 256
DEFAULT_BYTES = 4 * 1024 * 1024  # the workers run close to their 150 MB budget


@dataclass(frozen=True)
class Answer:
    body: bytes
    etag: str
    version: int
    expires: float  # time.monotonic()


class AnswerCache:
    """A bounded LRU of answers; thread-safe (one per application and process)."""

    def __init__(self, size: int = DEFAULT_SIZE, max_bytes: int = DEFAULT_BYTES) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0  # of the bodies kept
        self._entries: OrderedDict[Hashable, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable, version: int) -> Answer | None:
        with self._lock:
            answer = self._entries.get(key)
            if answer is None:
                return None
            if answer.version != version or answer.expires <= time.monotonic():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return answer

    def put(self, key: Hashable, answer: Answer) -> None:
        if self.size <= 0 or len(answer.body) > self.max_bytes:
            return
        with self._lock:
            self._drop(key)
            self._entries[key] = answer
            self.bytes += len(answer.body)
            while len(self._entries) > self.size or self.bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))  # the least recently used

    def _drop(self, key: Hashable) -> None:
        answer = self._entries.pop(key, None)
        if answer is not None:
            self.bytes -= len(answer.body)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0


def answers() -> AnswerCache:
    """This application's cache in this process."""
    extensions = current_app.extensions
    found = extensions.get("directory_answers")
    if found is None:
        size = int(current_app.config.get("DIRECTORY_CACHE_SIZE", DEFAULT_SIZE))
        max_bytes = int(current_app.config.get("DIRECTORY_CACHE_BYTES", DEFAULT_BYTES))
        found = extensions.setdefault("directory_answers", AnswerCache(size, max_bytes))
    return found


def _lifetime(structures: Iterable[Structure], at: datetime) -> float:
    seconds = MAX_AGE
    for structure in structures:
        change = hours.next_change(structure.opening_hours, at)
        if change is not None:
            seconds = min(seconds, (change - at).total_seconds())
    return seconds


#: Builds an answer at an instant: (the JSON value, the structures it shows).
Build = Callable[[datetime], tuple[Any, Iterable[Structure]]]


def cached_json(endpoint: str, key: Hashable, build: Build) -> WerkzeugResponse:
    """The JSON answer of ``endpoint`` for ``key``, from the cache or ``build``."""
    version = directory_version.current(db.session)  # before any read of the directory
    full_key = (endpoint, key, str(get_locale()))
    cache = answers()
    answer = cache.get(full_key, version)
    if answer is None:
        at = utcnow()
        started = time.monotonic()
        value, structures = build(at)
        body = current_app.json.response(value).get_data()  # type: ignore[attr-defined]
        answer = Answer(
            body=body,
            etag=hashlib.sha256(body).hexdigest()[:32],
            version=version,
            expires=started + _lifetime(structures, at),
        )
        cache.put(full_key, answer)
    response = Response(answer.body, mimetype=current_app.json.mimetype)  # type: ignore[attr-defined]
    response.set_etag(answer.etag)
    response.vary.update(("Accept-Language", "Cookie"))
    return response.make_conditional(request)
