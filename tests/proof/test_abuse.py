"""Abuse drill, short form: a 50 reports/s burst from one identity, then from 1 000
identities, beside an ordinary reporter (long form: ``python -m bench.abuse``).

With a per-identity limit of ``LIMIT`` reports a minute, the flooding identity gets 429 with
Retry-After once over it; the ordinary reporter's reports all land; the crowd (one or two
reports each) is never limited; every acknowledged report is stored once and intact.
"""

from __future__ import annotations

import json
import os

import pytest

from bench.abuse import drill

SECONDS = float(os.environ.get("AKRITES_PROOF_ABUSE_SECONDS", "4"))
IDENTITIES = int(os.environ.get("AKRITES_PROOF_ABUSE_IDENTITIES", "1000"))
LIMIT = 60


@pytest.mark.slow
def test_a_flood_is_limited_and_nothing_acknowledged_is_lost(make_site):
    site = make_site(AKRITES_RATE_PER_IDENTITY=LIMIT)
    site.start_server(workers=3, threads=8)
    site.start_worker()
    out = drill(site, rate=50, seconds=SECONDS, identities=IDENTITIES)
    print(json.dumps(out, indent=1))

    flood, crowd, check = out["one_identity"], out["many_identities"], out["check"]
    assert flood.get("status_429", 0) > 0, "the flooding identity was never limited"
    assert flood["retry_after_missing"] == 0
    # A fixed one-minute window: at most two windows' worth in a burst that spans a boundary.
    assert flood["acked"] <= 2 * LIMIT
    assert crowd.get("status_429", 0) == 0 and crowd["acked"] > 0
    for phase in ("one_identity_legit", "many_identities_legit"):
        legit = out[phase]
        assert legit["acked"] > 0 and legit.get("status_429", 0) == 0, legit
        assert legit["abandoned"] == 0
    assert flood["abandoned"] == 0 and crowd["abandoned"] == 0
    for key in ("missing", "duplicated", "wrong_id", "content_mismatch", "unacked_committed"):
        assert check[key] == 0, (key, check)
    assert check["audit_ok"]
