"""Customer-lifecycle analytics warehouse: Dagster definitions, ingestion, demo generator, CLI."""

import os

# Set before any library reads them at import time.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # Great Expectations usage statistics
os.environ.setdefault("TQDM_DISABLE", "1")  # GX draws a progress bar per expectation
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")
