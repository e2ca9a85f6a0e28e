{{ config(unique_key=['spend_date', 'ad_channel', 'campaign']) }}

with

source as (
    select * from {{ staging_source_rows(source('ads', 'ad_spend'), ['spend_date', 'ad_channel', 'campaign']) }}
),

ranked as (
    select
        *,
        {{ deduplication_row_number(
            key_columns=[
                'spend_date',
                'ad_channel',
                'campaign',
            ]
        ) }} as row_number
    from source
),

deduplicated as (
    select * from ranked
    where row_number = 1
),

renamed as (
    select
        spend_date,
        ad_channel,
        campaign,
        spend,
        currency,
        impressions,
        clicks,
        'ad_spend' as channel,
        _source_file as source_file,
        _source_row as source_row,
        _delivery_date as delivered_on,
        _loaded_at as loaded_at
    from deduplicated
)

select * from renamed
