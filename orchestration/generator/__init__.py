"""Deterministic demo data: simulated customers, their channel exports and the ground truth.

``generate_demo_data`` writes one file per channel and delivery day under the
landing folder (as the channel export contract describes) and a ``truth``
folder the warehouse never reads: the real persons behind the rows, their
normalised identifiers, purchases, lifecycle stage timeline and a record of
every piece of mess injected (malformed, duplicate and late rows, one
re-delivered file).

    python -m orchestration.generator --landing landing --truth demo/truth
"""

from orchestration.generator.generate import GenerationSummary, generate_demo_data

__all__ = ["GenerationSummary", "generate_demo_data"]
