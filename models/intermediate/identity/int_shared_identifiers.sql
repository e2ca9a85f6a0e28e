{#-
    Identifiers that must not link records, one row per node, with the rule
    that excluded it:
    - blocklist: on the identifier_blocklist seed or matching a pattern of the
      identifier_blocklist_patterns seed (test addresses, placeholder phones);
    - link_rule: seen in records with more than max_distinct distinct
      identifiers of another type, per the identity_link_rules seed (a device
      with two accounts is a shared family tablet; a loyalty card given with
      several phones is a store's default card);
    - max_linked: seen with more than var('identity_max_linked_identifiers')
      distinct identifiers of any type (a supernode no rule anticipated).
    Such an identifier stays a node of its own; its records resolve through
    their other identifiers.
-#}

with

-- Only the columns the rules need, and only records with two identifiers or
-- more: a record with one pairs its identifier with nobody.
observations as (
    select record_key, node_key, identifier_type, is_blocked
    from {{ ref('int_identifier_observations') }}
    where n_record_identifiers > 1
),

blocked_nodes as (
    select node_key, blocked_reason
    from {{ ref('int_identity_nodes') }}
    where is_blocked
),

-- The few shared nodes get their ids and values back.
node_names as (
    select node_key, node_id, identifier_type, identifier_value
    from {{ ref('int_identity_nodes') }}
),

link_rules as (
    select * from {{ ref('identity_link_rules') }}
),

blocked as (
    select
        node_key,
        'blocklist' as exclusion_rule,
        blocked_reason as reason
    from blocked_nodes
),

-- On the integer keys (macro identity_key): the self-join below pairs every
-- identifier with every other of its records.
linkable as (
    select record_key, node_key, identifier_type
    from observations
    where not is_blocked
),

-- Distinct identifiers of each type seen in the same records as each identifier.
co_observed as (
    select
        linkable.node_key,
        linkable.identifier_type,
        other.identifier_type as linked_identifier_type,
        count(distinct other.node_key) as n_linked
    from linkable
    inner join linkable as other
        on linkable.record_key = other.record_key
        and linkable.node_key <> other.node_key
    group by
        linkable.node_key,
        linkable.identifier_type,
        other.identifier_type
),

by_rule as (
    select
        co_observed.node_key,
        'link_rule' as exclusion_rule,
        min(link_rules.reason) as reason
    from co_observed
    inner join link_rules
        on co_observed.identifier_type = link_rules.identifier_type
        and co_observed.linked_identifier_type = link_rules.linked_identifier_type
        and co_observed.n_linked > link_rules.max_distinct
    group by co_observed.node_key
),

by_size as (
    select
        node_key,
        'max_linked' as exclusion_rule,
        'seen with more than {{ var("identity_max_linked_identifiers", 50) }} identifiers' as reason
    from co_observed
    group by node_key
    having sum(n_linked) > {{ var('identity_max_linked_identifiers', 50) }}
),

unioned as (
    select * from blocked
    union all
    select * from by_rule
    union all
    select * from by_size where node_key not in (select node_key from by_rule)
),

final as (
    select
        node_names.node_id,
        unioned.node_key,
        node_names.identifier_type,
        node_names.identifier_value,
        unioned.exclusion_rule,
        unioned.reason
    from unioned
    inner join node_names on unioned.node_key = node_names.node_key
)

select * from final
