{{ config(unique_key='mention_id') }}

with

source as (
    select * from {{ staging_source_rows(source('social', 'social_mentions'), ['mention_id']) }}
),

ranked as (
    select
        *,
        {{ deduplication_row_number(
            key_columns=['mention_id']
        ) }} as row_number
    from source
),

deduplicated as (
    select * from ranked
    where row_number = 1
),

renamed as (
    select
        mention_id,
        mentioned_at,
        platform,
        {{ normalize_handle('handle') }} as social_handle,
        sentiment,
        likes,
        'social_mentions' as channel,
        _source_file as source_file,
        _source_row as source_row,
        _delivery_date as delivered_on,
        _loaded_at as loaded_at
    from deduplicated
)

select * from renamed
