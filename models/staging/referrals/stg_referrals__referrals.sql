{{ config(unique_key='referral_id') }}

with

source as (
    select * from {{ staging_source_rows(source('referrals', 'referrals'), ['referral_id']) }}
),

ranked as (
    select
        *,
        {{ deduplication_row_number(
            key_columns=['referral_id'],
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
        referral_id,
        referred_at,
        updated_at,
        {{ normalize_email('referrer_email') }} as referrer_email,
        {{ normalize_email('referee_email') }} as referee_email,
        status,
        reward_amount,
        currency,
        'referrals' as channel,
        _source_file as source_file,
        _source_row as source_row,
        _delivery_date as delivered_on,
        _loaded_at as loaded_at
    from deduplicated
)

select * from renamed
