"""The eligibility benchmarks' baseline: a bare Flask app answering from one SQLite lookup per subject."""

from __future__ import annotations

import os
import sqlite3
import threading

import orjson
from flask import Flask, Response, jsonify, request

_LOCAL = threading.local()
ONE = (
    "SELECT allowed, reason, contact_point FROM consent_decision WHERE customer_id = ? AND channel = ? "
    "AND purpose = ? ORDER BY ordinal LIMIT 1"
)


def _conn() -> sqlite3.Connection:
    conn = getattr(_LOCAL, "conn", None)
    if conn is None:
        conn = _LOCAL.conn = sqlite3.connect(os.environ["BENCH_SQLITE_FILE"], check_same_thread=False)
    return conn


def create_app() -> Flask:
    """No auth, no validation, no policy: the least a lookup service can do."""
    app = Flask("bare")

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.get("/check")
    def check():
        args = request.args
        row = _conn().execute(ONE, (args["customer"], args["channel"], args["purpose"])).fetchone()
        if row is None:
            return jsonify({"allowed": False, "reason": "unknown_customer", "contact_point": None})
        return jsonify({"allowed": bool(row[0]), "reason": row[1], "contact_point": row[2]})

    @app.post("/bulk")
    def bulk():
        body = orjson.loads(request.get_data())
        ids, channel, purpose = body["subjects"], body["channel"], body["purpose"]
        found = {}
        for start in range(0, len(ids), 5000):
            part = ids[start : start + 5000]
            marks = ", ".join("?" * len(part))
            query = (
                f"SELECT customer_id, allowed, reason, contact_point FROM consent_decision WHERE customer_id IN "
                f"({marks}) AND channel = ? AND purpose = ? ORDER BY customer_id, ordinal"
            )
            for cid, allowed, reason, point in _conn().execute(query, (*part, channel, purpose)):
                found.setdefault(cid, (bool(allowed), reason, point))
        results = [
            {
                "subject": i,
                "allowed": found.get(i, (False,))[0],
                "reason": found.get(i, (False, "unknown_customer"))[1],
                "contact_point": found.get(i, (False, None, None))[2],
            }
            for i in ids
        ]
        return Response(
            orjson.dumps({"count": len(results), "results": results}), mimetype="application/json"
        )

    return app
