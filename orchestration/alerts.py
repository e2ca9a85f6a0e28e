"""Failure alerts: a line in an alert log by default, and a JSON POST to a webhook when
LIFECYCLE_ALERT_WEBHOOK is set (Slack-compatible: the payload has a `text` field).

Used by the CLI when a run fails and by the Dagster run-failure sensor (daemon).
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from pathlib import Path

from orchestration.settings import get_settings


def alert_log_path() -> Path:
    return get_settings().logs / "alerts.log"


def send_alert(title: str, details: str = "") -> Path:
    """Record an alert; never raises (an alert must not hide the failure it reports)."""
    path = alert_log_path()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    line = f"{stamp} ALERT {title}" + (f" | {' '.join(details.split())[:2000]}" if details else "")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
    except OSError:
        pass
    webhook = os.environ.get("LIFECYCLE_ALERT_WEBHOOK")
    if webhook:
        body = json.dumps({"text": f"{title}\n{details}"[:3000]}).encode()
        request = urllib.request.Request(
            webhook, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            urllib.request.urlopen(request, timeout=10).close()
        except (urllib.error.URLError, OSError, ValueError) as error:
            try:
                with path.open("a", encoding="utf-8") as handle:
                    handle.write(f"{stamp} WEBHOOK FAILED {webhook}: {error}\n")
            except OSError:
                pass
    return path
