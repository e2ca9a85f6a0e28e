{{ config(unique_key='subscription_id') }}

with

source as (
    select * from {{ staging_source_rows(source('shop', 'subscriptions'), ['subscription_id']) }}
),

ranked as (
    select
        *,
        {{ deduplication_row_number(
            key_columns=['subscription_id'],
            is_snapshot=true
        ) }} as row_number
    from source
),

deduplicated as (
    select * from ranked
    where row_number = 1
),

renamed as (
    select
        subscription_id,
        updated_at,
        {{ normalize_email('email') }} as email,
        plan,
        trial_started_at,
        paid_started_at,
        cancelled_at,
        status,
        monthly_amount,
        currency,
        'subscriptions' as channel,
        _source_file as source_file,
        _source_row as source_row,
        _delivery_date as delivered_on,
        _loaded_at as loaded_at
    from deduplicated
)

select * from renamed
