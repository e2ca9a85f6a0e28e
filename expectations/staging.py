"""Suites for the staging layer: what normalisation promises.

One suite per staging model that stages an email or a phone (`TABLES`), generated from
the channel contract it stages:

- every normalised email matches `EMAIL_PATTERN` (trimmed, lower case, one @, a dotted
  domain) and every phone is E.164 `^\\+[1-9][0-9]{7,14}$` (critical). Null means "not
  an identifier" and passes.

One row per contract key after de-duplication is a dbt test on every staging model
(`unique`, `unique_combination_of_columns`), not repeated here: the style guide keeps
GX to what dbt tests express poorly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from expectations.suite import RunParameters, Suite
from orchestration.contract import Channel, load_contract

if TYPE_CHECKING:
    import great_expectations.expectations as gxe

# Staging model -> the contract channel it stages.
MODELS: dict[str, str] = {
    "stg_web__page_views": "web_events",
    "stg_app__events": "app_events",
    "stg_email__events": "email_events",
    "stg_social__post_metrics": "social_posts",
    "stg_social__mentions": "social_mentions",
    "stg_ads__spend": "ad_spend",
    "stg_crm__leads": "crm_leads",
    "stg_shop__orders": "orders",
    "stg_shop__order_lines": "order_lines",
    "stg_shop__carts": "carts",
    "stg_shop__subscriptions": "subscriptions",
    "stg_pos__transactions": "pos_transactions",
    "stg_call_centre__calls": "calls",
    "stg_support__tickets": "support_tickets",
    "stg_support__survey_responses": "surveys",
    "stg_reviews__reviews": "reviews",
    "stg_referrals__referrals": "referrals",
    "stg_affiliates__conversions": "affiliate_conversions",
    "stg_media__listens": "media_listens",
}

# Contract columns staging renames (the same identifier under its common name).
RENAMED = {
    "customer_email": "email",
    "reviewer_email": "email",
    "subscriber_email": "email",
    "phone_number": "phone",
    "handle": "social_handle",
}

# What macros/normalize_email.sql and normalize_phone.sql produce.
EMAIL_PATTERN = r"^[^@\sA-Z]+@[^@\s.A-Z]+([.][^@\s.A-Z]+)+$"
E164_PATTERN = r"^\+[1-9][0-9]{7,14}$"


def staged_name(column: str) -> str:
    return RENAMED.get(column, column)


def identifier_patterns(channel: Channel) -> list[tuple[str, str, str]]:
    """(staged column, pattern, rule name) for each email and phone column."""
    patterns = []
    for column in (staged_name(c) for c in channel.column_names):
        if column == "email" or column.endswith("_email"):
            patterns.append((column, EMAIL_PATTERN, "email_pattern"))
        elif column == "phone":
            patterns.append((column, E164_PATTERN, "e164"))
    return patterns


def model_expectations(channel: Channel) -> list[gxe.Expectation]:
    return [matches_pattern(*pattern) for pattern in identifier_patterns(channel)]


# The staging models with a suite: those staging an email or phone.
TABLES = tuple(
    model for model, channel in MODELS.items() if identifier_patterns(load_contract()[channel])
)


def matches_pattern(column: str, pattern: str, rule: str) -> gxe.Expectation:
    """Non-null values of `column` fully match `pattern`.

    An unexpected-rows query, not `ExpectColumnValuesToMatchRegex`: GX has no regex
    support for the duckdb dialect ("Regex is not supported for dialect duckdb").
    """
    import great_expectations.expectations as gxe

    # GX formats the query with str.format ({batch}): double the pattern's braces.
    literal = pattern.replace("'", "''").replace("{", "{{").replace("}", "}}")
    return gxe.UnexpectedRowsExpectation(
        description=f"{column}_matches_{rule}",
        unexpected_rows_query=(
            f"select {column} from {{batch}}"
            f" where {column} is not null and not regexp_full_match({column}, '{literal}')"
        ),
        meta={"column": column, "pattern": pattern},
    )


def suites(run: RunParameters, tables: tuple[str, ...] = TABLES) -> list[Suite]:
    contract = load_contract()
    return [
        Suite(
            layer="staging",
            schema="staging",
            table=model,
            expectations=lambda channel=contract[MODELS[model]]: model_expectations(channel),
        )
        for model in tables
    ]
