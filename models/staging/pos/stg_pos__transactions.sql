{{ config(unique_key='transaction_id') }}

with

source as (
    select * from {{ staging_source_rows(source('pos', 'pos_transactions'), ['transaction_id']) }}
),

ranked as (
    select
        *,
        {{ deduplication_row_number(
            key_columns=['transaction_id']
        ) }} as row_number
    from source
),

deduplicated as (
    select * from ranked
    where row_number = 1
),

renamed as (
    select
        transaction_id,
        transacted_at,
        store_id,
        loyalty_card_id,
        {{ normalize_phone('phone') }} as phone,
        {{ normalize_email('email') }} as email,
        transaction_type,
        amount,
        currency,
        'pos_transactions' as channel,
        _source_file as source_file,
        _source_row as source_row,
        _delivery_date as delivered_on,
        _loaded_at as loaded_at
    from deduplicated
)

select * from renamed
