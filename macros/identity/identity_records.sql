{#-
    The identity graph's records: what each customer-level source row says
    about who is behind it. A spec per record type:
      model        the staging model of the rows;
      record       the record type (a row of the referrals export is two
                   records: referrer and referee are different people);
      id           the row's own id (an anonymous record is keyed by it);
      at           when the row happened;
      identifiers  its identifier columns (a name, or (identifier type,
                   column) when they differ);
      anonymous    for purchases: the identifier type of a row with none of
                   the identifiers, which is a customer of its own instead of
                   being dropped.

    Rows of one type with the same identifiers are one identity record
    (identity_record_id): identifiers seen together once link the same way
    whether they were seen once or five hundred times, so the graph is built
    on the distinct identifier sets (about a fifth of the rows: a year of page
    views repeats each visitor's cookie), and a touchpoint reaches its
    customer through its record's identity record.
-#}

{% macro identity_record_specs() -%}
    {%- do return([
        {'model': 'stg_web__page_views', 'record': 'web', 'id': 'event_id', 'at': 'event_at',
         'identifiers': ['cookie_id', 'user_id', 'email']},
        {'model': 'stg_app__events', 'record': 'app', 'id': 'event_id', 'at': 'event_at',
         'identifiers': ['device_id', 'user_id']},
        {'model': 'stg_email__events', 'record': 'email', 'id': 'event_id', 'at': 'event_at',
         'identifiers': ['email']},
        {'model': 'stg_social__mentions', 'record': 'social_mention', 'id': 'mention_id',
         'at': 'mentioned_at', 'identifiers': ['social_handle']},
        {'model': 'stg_crm__leads', 'record': 'crm_lead', 'id': 'lead_id', 'at': 'created_at',
         'identifiers': ['lead_id', 'email', 'phone']},
        {'model': 'stg_shop__orders', 'record': 'order', 'id': 'order_id', 'at': 'ordered_at',
         'identifiers': ['shop_customer_id', 'email', 'phone'], 'anonymous': 'guest_order'},
        {'model': 'stg_shop__carts', 'record': 'cart', 'id': 'cart_id', 'at': 'created_at',
         'identifiers': ['cookie_id', 'shop_customer_id', 'email']},
        {'model': 'stg_shop__subscriptions', 'record': 'subscription', 'id': 'subscription_id',
         'at': 'updated_at', 'identifiers': ['email']},
        {'model': 'stg_pos__transactions', 'record': 'pos', 'id': 'transaction_id',
         'at': 'transacted_at', 'identifiers': ['loyalty_card_id', 'phone', 'email'],
         'anonymous': 'pos_receipt'},
        {'model': 'stg_call_centre__calls', 'record': 'call', 'id': 'call_id', 'at': 'started_at',
         'identifiers': ['phone', 'email']},
        {'model': 'stg_support__tickets', 'record': 'ticket', 'id': 'ticket_id', 'at': 'opened_at',
         'identifiers': ['email', 'social_handle']},
        {'model': 'stg_support__survey_responses', 'record': 'survey', 'id': 'response_id',
         'at': 'responded_at', 'identifiers': ['email']},
        {'model': 'stg_reviews__reviews', 'record': 'review', 'id': 'review_id', 'at': 'reviewed_at',
         'identifiers': ['email', 'social_handle']},
        {'model': 'stg_referrals__referrals', 'record': 'referrer', 'id': 'referral_id',
         'at': 'referred_at', 'identifiers': [('email', 'referrer_email')]},
        {'model': 'stg_referrals__referrals', 'record': 'referee', 'id': 'referral_id',
         'at': 'referred_at', 'identifiers': [('email', 'referee_email')]},
        {'model': 'stg_media__listens', 'record': 'media',
         'id': dbt.concat(["episode_id", "'|'", "platform", "'|'", dbt.cast("media_date", api.Column.translate_type("string")), "'|'", salted_hash("email")]),
         'at': dbt.cast("media_date", api.Column.translate_type("timestamp")),
         'identifiers': ['email']},
    ]) -%}
{%- endmacro %}


{#- The spec of one record type. -#}
{% macro identity_record_spec(record) -%}
    {%- for spec in identity_record_specs() if spec.record == record -%}
        {%- do return(spec) -%}
    {%- endfor -%}
    {%- do exceptions.raise_compiler_error("no identity record spec for " ~ record) -%}
{%- endmacro %}


{#- The identifier columns of a spec, as (identifier type, column) pairs. -#}
{% macro identity_record_columns(spec) -%}
    {%- set columns = [] -%}
    {%- for identifier in spec.identifiers -%}
        {%- if identifier is string -%}
            {%- do columns.append((identifier, identifier)) -%}
        {%- else -%}
            {%- do columns.append((identifier[0], identifier[1])) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do return(columns) -%}
{%- endmacro %}


{#- True for a row of `spec` (columns qualified by `prefix`) with none of its
    identifiers: no identity record but the anonymous one. -#}
{% macro identity_record_has_no_identifiers(spec, prefix='') -%}
    {%- for _, column in identity_record_columns(spec) -%}
        {{ prefix ~ column }} is null{% if not loop.last %} and {% endif %}
    {%- endfor -%}
{%- endmacro %}


{#-
    The identity record of a row of `record` (its columns qualified by
    `prefix`, e.g. 'orders.'): '<record>~' then, for each identifier column,
    '<length>:<value>|', or '|' when null. The length prefix makes the
    encoding unambiguous (a value may contain '|' or ':'), so two rows share
    an identity record exactly when they have the same identifiers. A row
    with none: the anonymous record '<record>:<id>' where the spec has one
    (and `anonymous` is true: rows known to have an identifier pass false),
    else null (no identity: no customer).
-#}
{% macro identity_record_id(record, prefix='', anonymous=true) -%}
    {%- set spec = identity_record_spec(record) -%}
    {%- set columns = identity_record_columns(spec) -%}
    {%- set tokens = ["'" ~ record ~ "~'"] -%}
    {%- for _, column in columns -%}
        {%- set qualified = prefix ~ column -%}
        {%- do tokens.append(
            "coalesce(" ~ dbt.concat([
                dbt.cast(dbt.length(qualified) | trim, api.Column.translate_type('string')) | trim,
                "':'", qualified]) ~ ", '')") -%}
        {%- do tokens.append("'|'") -%}
    {%- endfor -%}
    case
        when {{ identity_record_has_no_identifiers(spec, prefix) }}
            then {% if spec.anonymous and anonymous %}{{ dbt.concat(["'" ~ record ~ ":'", prefix ~ spec.id]) }}{% else %}null{% endif %}
        else {{ dbt.concat(tokens) }}
    end
{%- endmacro %}
