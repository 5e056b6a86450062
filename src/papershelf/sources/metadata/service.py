"""What every metadata client shares: one bounded HTTP client per service, the answer cache,
JSON checked before use, and one typed error when the service cannot answer.

``Service.fetch`` returns an ``Answer`` for any status below 429 other than the 5xx (a 404 is an
answer: "no such record"); 429 and 5xx are retried by ``sources.http`` with a doubling backoff
honouring ``Retry-After``, and when the retries or the deadline run out the fault is raised as
``SourceUnavailable`` naming the service, so a caller reports it and asks the others.

An answer is data to validate: JSON is read by ``load_json`` (nested at most ``MAX_JSON_DEPTH``
deep, no array longer than ``MAX_JSON_ITEMS``), and every record a lookup returns is a validated
``model.works.Work``: a lookup whose answer does not validate (``InvalidRecord``, a JSON answer
too deep or too wide) raises ``SourceUnavailable`` naming the service with what was wrong, one
line, exit 4. Every public lookup of a ``Service`` subclass is guarded so (``__init_subclass__``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from papershelf import __version__
from papershelf.errors import NetworkError, SourceUnavailable
from papershelf.model.works import SOURCE_NAMES, InvalidRecord
from papershelf.sources.http import Event, HttpClient, Limits, Response, TryAgain
from papershelf.sources.metadata.cache import AnswerCache, request_key
from papershelf.sources.metadata.settings import Settings

JSON_TYPES = ("application/json", "application/vnd.api+json", "text/json", "application/javascript")
MAX_JSON_DEPTH = 64  # the deepest real answer (OpenAlex) nests about 6
MAX_JSON_ITEMS = 100_000  # in one array: a million authors is not a record


class BadJson(ValueError):
    """JSON that cannot be an answer: not JSON, nested too deep, an array too long."""


def load_json(body: bytes) -> Any:
    """The JSON value of ``body``, checked before use: ``BadJson`` when it is not UTF-8 JSON,
    nests deeper than ``MAX_JSON_DEPTH`` or holds an array longer than ``MAX_JSON_ITEMS`` (an
    iterative walk: no recursion to exhaust)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except RecursionError:
        raise BadJson(f"nested more than {MAX_JSON_DEPTH} deep") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadJson("not valid JSON") from exc
    todo: list[tuple[Any, int]] = [(data, 1)]
    while todo:
        value, depth = todo.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            if len(value) > MAX_JSON_ITEMS:
                raise BadJson(f"with an array of {len(value):,} items, over the {MAX_JSON_ITEMS:,} accepted")
            children = value
        else:
            continue
        if depth > MAX_JSON_DEPTH:
            raise BadJson(f"nested more than {MAX_JSON_DEPTH} deep")
        todo.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return data


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes
    cached: bool = False

    def json(self) -> Any:
        return load_json(self.body)


def _is_json_type(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() in JSON_TYPES


class Service:
    """A client of one metadata service; subclasses add the lookups and the parsers."""

    name = ""  # the source's short name (model.works.SOURCES)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Guard every public lookup the subclass defines: an answer that does not validate is
        ``SourceUnavailable`` naming the service (see the module docstring)."""
        super().__init_subclass__(**kwargs)
        for attr, value in list(vars(cls).items()):
            if not attr.startswith("_") and callable(value) and not isinstance(value, (type, property)):
                setattr(cls, attr, _guarded(value))

    def __init__(self, settings: Settings, cache: AnswerCache, *,
                 on_event: Callable[[Event], None] | None = None,
                 headers: Mapping[str, str] | None = None):
        self.settings = settings
        self.cache = cache
        self.base_url = settings.urls[self.name]
        user_agent = f"papershelf/{__version__}"
        if settings.mailto:
            user_agent += f" (mailto:{settings.mailto})"
        limits = Limits(connect_timeout=settings.connect_timeout, read_timeout=settings.read_timeout,
                        deadline=settings.deadline, max_bytes=settings.max_bytes, retries=settings.retries,
                        delay=settings.delay_for(self.name), backoff=settings.backoff)
        self.http = HttpClient(self.base_url, limits, name=self.label, user_agent=user_agent,
                               deadline_setting="PAPERSHELF_METADATA_TIMEOUT", on_event=on_event,
                               headers=headers)
        self.cache_hits = 0

    @property
    def label(self) -> str:
        return SOURCE_NAMES.get(self.name, self.name)

    @property
    def requests(self) -> int:
        """Requests sent over the network so far (answers from the cache not counted)."""
        return self.http.requests

    def close(self) -> None:
        self.http.close()

    def url(self, path: str, params: Mapping[str, str | int] | None = None) -> str:
        query = urlencode([(k, str(v)) for k, v in (params or {}).items()])
        return f"{self.base_url}{path}" + (f"?{query}" if query else "")

    def unavailable(self, message: str, hint: str | None = None) -> SourceUnavailable:
        return SourceUnavailable(self.name, message, hint=hint)

    def fetch(self, url: str, *, body: bytes | None = None, expect_json: bool = True) -> Answer:
        """The answer to a GET (or, with ``body``, a JSON POST) of ``url``, from the cache when
        it holds a fresh one. A 200 that should be JSON but is not is retried, then refused."""
        method = "POST" if body is not None else "GET"
        key = request_key(method, url, body)
        hit = self.cache.get(key)
        if hit is not None:
            self.cache_hits += 1
            return Answer(hit.status, hit.content_type, hit.body, cached=True)

        def check(response: Response) -> Answer:
            ctype = response.headers.get("Content-Type", "")
            if expect_json and response.status == 200:
                try:
                    load_json(response.body)
                except BadJson as exc:
                    if exc.__cause__ is None:  # valid JSON of a hostile shape: asking again will not help
                        raise self.unavailable(f"{self.label}'s answer is JSON {exc}") from None
                    what = "an HTML page" if b"<html" in response.body[:500].lower() else "not valid JSON"
                    raise TryAgain(f"{self.label}'s answer is {what}") from None
            return Answer(response.status, ctype, response.body)

        try:
            if body is None:
                answer = self.http.get(url, check)
            else:
                answer = self.http.post(url, body, check)
        except SourceUnavailable:
            raise
        except NetworkError as exc:
            raise self.unavailable(exc.message, exc.hint) from None
        self.cache.put(key, answer.status, answer.content_type, answer.body)
        return answer

    def fetch_json(self, url: str, *, body: bytes | None = None, missing: tuple[int, ...] = (404,)) -> Any:
        """The JSON of a 200 answer; None for a status in ``missing`` (whatever its body: Crossref
        answers 404 in plain text, OpenAlex in HTML). Any other status is ``SourceUnavailable``."""
        answer = self.fetch(url, body=body)
        if answer.status in missing:
            return None
        if answer.status != 200:
            detail = _error_text(answer)
            raise self.unavailable(f"{self.label} refused the request (HTTP {answer.status}"
                                   + (f": {detail})" if detail else ")"))
        try:
            return answer.json()
        except BadJson as exc:
            raise self.unavailable(f"{self.label}'s answer is {'not valid JSON' if exc.__cause__ else f'JSON {exc}'}") \
                from None


def _error_text(answer: Answer) -> str:
    """The message of an error body (S2 ``{"error": …}``/``{"message": …}``), else a short plain text."""
    if _is_json_type(answer.content_type) or answer.body[:1] in (b"{", b"["):
        try:
            data = answer.json()
        except BadJson:
            return ""
        if isinstance(data, dict):
            for k in ("error", "message", "detail"):
                if isinstance(data.get(k), str):
                    return " ".join(data[k].split())[:200]
        return ""
    text = answer.body[:300].decode("utf-8", "replace")
    return "" if "<" in text else " ".join(text.split())[:200]


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def lookup(self: Service, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except InvalidRecord as exc:
            raise self.unavailable(f"{self.label} answered with a record that does not validate: {exc}",
                                   hint="nothing was stored from it; another source may answer") from None
        except BadJson as exc:
            raise self.unavailable(f"{self.label}'s answer is JSON {exc}") from None
        except RecursionError:  # anything nested past Python's stack, wherever it is walked
            raise self.unavailable(f"{self.label}'s answer is nested too deeply") from None

    return lookup


def text_of(value: Any) -> str:
    """A JSON value that should be a string: itself, else the first string of a list, else ""."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        for v in value:
            if isinstance(v, str):
                return v
    return ""


def obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def arr(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
