"""CVE Services through cvelib's ``CveApi``.

cvelib hard-codes a 60 s timeout per request; the subclass below only replaces that with ours
(``AKRITES_CVE_TIMEOUT``), so a hung CVE Services cannot hold the publication worker — and the
row locks it holds — for minutes. Every failure (HTTP 4xx/5xx, timeout, refused connection,
an answer that is not what the API documents) becomes one ``CnaError`` that names the
operation and the HTTP status, never the record.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urljoin

import requests
from cvelib.cve_api import CveApi, CveRecordValidationError

from akrites.core.env import ConfigError, env_secret, env_str
from akrites.disclosure import conf
from akrites.disclosure.cna import CnaError

logger = logging.getLogger(__name__)
T = TypeVar("T")
GENERATOR = {"engine": "Akrites"}


class _TimedCveApi(CveApi):  # type: ignore[misc]  # cvelib is untyped
    def __init__(self, *args: Any, timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timeout = timeout

    def _http_request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {
            "CVE-API-KEY": self.api_key,
            "CVE-API-ORG": self.org,
            "CVE-API-USER": self.username,
        }
        response = requests.request(
            method=method,
            url=urljoin(self.url, path),
            timeout=self.timeout,
            headers=headers,
            **kwargs,
        )
        response.raise_for_status()
        return response


@contextmanager
def _errors(operation: str, cve_id: str = "") -> Iterator[None]:
    try:
        yield
    except requests.Timeout:
        logger.warning("CVE Services %s %s: timeout", operation, cve_id)
        raise CnaError(f"CVE Services did not answer in time ({operation})") from None
    except requests.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else 0
        logger.warning("CVE Services %s %s: HTTP %s", operation, cve_id, status)
        raise CnaError(f"CVE Services refused {operation} (HTTP {status})") from None
    except requests.RequestException:
        logger.warning("CVE Services %s %s: unreachable", operation, cve_id)
        raise CnaError(f"CVE Services cannot be reached ({operation})") from None
    except CveRecordValidationError:
        logger.warning("CVE Services %s %s: record does not validate", operation, cve_id)
        raise CnaError(f"the CVE record does not validate ({operation})") from None
    except (KeyError, IndexError, TypeError, ValueError):
        logger.warning("CVE Services %s %s: unexpected answer", operation, cve_id)
        raise CnaError(f"CVE Services gave an unexpected answer ({operation})") from None


class CveServicesBackend:
    name = "cve-services"

    def __init__(self, *, org: str, user: str, api_key: str, url: str, timeout: float) -> None:
        self.api = _TimedCveApi(username=user, org=org, api_key=api_key, url=url, timeout=timeout)

    def _call(self, operation: str, cve_id: str, fn: Callable[[], T]) -> T:
        with _errors(operation, cve_id):
            return fn()
        raise AssertionError("unreachable")  # pragma: no cover - _errors always re-raises

    def reserve(self, *, year: int) -> str:
        answer = self._call("reserve", "", lambda: self.api.reserve(1, False, str(year)))
        with _errors("reserve"):
            cve_id = str(answer["cve_ids"][0]["cve_id"])
        return cve_id

    def publish(self, *, cve_id: str, cna_container: dict[str, Any]) -> None:
        """Create the record, or update it when it is already published (a retry after our
        own transaction failed must converge, not fail forever)."""
        # cvelib fills providerMetadata from GET org/{short}: the authoritative org UUID.
        container = {k: v for k, v in cna_container.items() if k != "providerMetadata"}
        container["x_generator"] = GENERATOR
        state = self._call("lookup", cve_id, lambda: self.api.show_cve_id(cve_id))
        with _errors("lookup", cve_id):
            published = state["state"] == CveApi.States.PUBLISHED
        if published:
            self._call("update", cve_id, lambda: self.api.update_published(cve_id, container))
        else:
            self._call("publish", cve_id, lambda: self.api.publish(cve_id, container))

    def reject(self, *, cve_id: str, reason: str) -> None:
        """Reject a reserved id (``POST``), or a published record (``PUT``: a withdrawn
        advisory), or update the reason of one already rejected (a retry converges)."""
        container = {"rejectedReasons": [{"lang": "en", "value": reason}], "x_generator": GENERATOR}
        state = self._call("lookup", cve_id, lambda: self.api.show_cve_id(cve_id))
        with _errors("lookup", cve_id):
            exists = state["state"] in (CveApi.States.PUBLISHED, CveApi.States.REJECTED)
        if exists:
            self._call("reject", cve_id, lambda: self.api.update_rejected(cve_id, container))
        else:
            self._call("reject", cve_id, lambda: self.api.reject(cve_id, container))


def from_environment() -> CveServicesBackend:
    org = env_str("AKRITES_CVE_ORG", "")
    user = env_str("AKRITES_CVE_USER", "")
    api_key = env_secret("AKRITES_CVE_API_KEY")
    if not (org and user and api_key):
        raise ConfigError(
            "cve-services needs AKRITES_CVE_ORG, AKRITES_CVE_USER, AKRITES_CVE_API_KEY"
        )
    return CveServicesBackend(
        org=org, user=user, api_key=api_key, url=conf.cve_api_url(), timeout=conf.cve_timeout()
    )
