"""A faithful local fake of CVE Services on loopback, for the real cvelib client.

It implements the endpoints cvelib calls (paths and answers as CVE Services documents them):
``GET health-check``, ``GET org/{short}``, ``POST cve-id?amount=&cve_year=&short_name=``,
``GET cve-id/{id}``, ``POST``/``PUT cve/{id}/cna``, ``POST``/``PUT cve/{id}/reject``. It checks the
three ``CVE-API-*`` headers, validates submitted containers with cvelib's bundled schemas, and
keeps ids' states (RESERVED → PUBLISHED / REJECTED). ``fail`` makes an operation answer an
HTTP error; ``delay`` makes every answer late (to exercise timeouts).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cvelib.cve_api import CveRecord, CveRecordValidationError

ORG = "akrites"
USER = "cna@akrites.example"
API_KEY = "fake-api-key"


class FakeCveServices:
    def __init__(self) -> None:
        self.org_uuid = str(uuid.UUID("11111111-2222-4333-8444-555555555555"))
        self.ids: dict[str, dict[str, Any]] = {}
        self.next_number = 40000
        self.fail: dict[str, int] = {}  # operation → HTTP status
        self.delay = 0.0
        self.calls: list[tuple[str, str]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def start(self) -> FakeCveServices:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.delay = 0
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    # --- the API -------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        parts = path.removeprefix("/api/").strip("/").split("/")
        if parts == ["health-check"] and method == "GET":
            return 200, {}
        if parts[:1] == ["org"] and len(parts) == 2 and method == "GET":
            if parts[1] != ORG:
                return 404, {"error": "ORG_DNE"}
            return 200, {"UUID": self.org_uuid, "short_name": ORG, "name": "Akrites"}
        if parts == ["cve-id"] and method == "POST":
            return self._reserve(query)
        if parts[:1] == ["cve-id"] and len(parts) == 2 and method == "GET":
            entry = self.ids.get(parts[1])
            if entry is None:
                return 404, {"error": "CVE_ID_NOT_FOUND"}
            return 200, {"cve_id": parts[1], "state": entry["state"], "owning_cna": ORG}
        if parts[:1] == ["cve"] and len(parts) == 3:
            return self._record(method, parts[1], parts[2], body)
        return 404, {"error": "NOT_FOUND"}

    def _reserve(self, query: dict[str, str]) -> tuple[int, Any]:
        if query.get("short_name") != ORG or query.get("amount") != "1":
            return 400, {"error": "BAD_INPUT"}
        year = query.get("cve_year", "")
        cve_id = f"CVE-{year}-{self.next_number}"
        self.next_number += 1
        self.ids[cve_id] = {"state": "RESERVED", "record": None}
        return 200, {
            "cve_ids": [{"cve_id": cve_id, "state": "RESERVED", "owning_cna": ORG}],
            "meta": {"remaining_quota": 100},
        }

    def _record(self, method: str, cve_id: str, what: str, body: Any) -> tuple[int, Any]:
        entry = self.ids.get(cve_id)
        if entry is None:
            return 404, {"error": "CVE_ID_NOT_FOUND"}
        container = (body or {}).get("cnaContainer")
        schema = CveRecord.Schemas.CNA_REJECTED if what == "reject" else None
        try:
            CveRecord.validate(container, schema)
        except CveRecordValidationError:
            return 400, {"error": "BAD_INPUT", "message": "record does not validate"}
        expected = {("POST", "cna"): {"RESERVED"}, ("PUT", "cna"): {"PUBLISHED"}}
        expected[("POST", "reject")] = {"RESERVED"}
        # A published record is rejected (or a rejected one updated) with PUT.
        expected[("PUT", "reject")] = {"PUBLISHED", "REJECTED"}
        if entry["state"] not in expected.get((method, what), set()):
            return 400, {"error": "CVE_RECORD_EXISTS"}
        entry["state"] = "REJECTED" if what == "reject" else "PUBLISHED"
        entry["record"] = container
        return 200, {"message": "ok", "created": {"cveMetadata": {"cveId": cve_id}}}

    # --- HTTP plumbing -------------------------------------------------------------------

    def _operation(self, method: str, path: str) -> str:
        parts = path.removeprefix("/api/").strip("/").split("/")
        if parts[:1] == ["cve"] and len(parts) == 3:
            return {"POST cna": "publish", "PUT cna": "update"}.get(
                f"{method} {parts[2]}", parts[2]
            )
        return {"POST": "reserve"}.get(method, "lookup") if parts[0] == "cve-id" else parts[0]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _serve(self, method: str) -> None:
                split = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(split.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                operation = fake._operation(method, split.path)
                fake.calls.append((operation, split.path))
                if fake.delay:
                    time.sleep(fake.delay)
                if (
                    self.headers.get("CVE-API-KEY") != API_KEY
                    or self.headers.get("CVE-API-ORG") != ORG
                    or self.headers.get("CVE-API-USER") != USER
                ):
                    status, answer = 401, {"error": "UNAUTHORIZED"}
                elif operation in fake.fail:
                    status, answer = fake.fail[operation], {"error": "FAKE_FAILURE"}
                else:
                    status, answer = fake.handle(
                        method, split.path, query, json.loads(raw) if raw else None
                    )
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def do_PUT(self) -> None:
                self._serve("PUT")

        return Handler
