{#- Incremental runs recompute whole (day, episode, platform) groups: the
    fourth key column, the subscriber's email, may be null, and a null key
    matches no row in the incremental delete. -#}
{{ config(unique_key=['media_date', 'episode_id', 'platform']) }}

with

source as (
    select * from {{ staging_source_rows(
        source('media', 'media_listens'), ['media_date', 'episode_id', 'platform']
    ) }}
),

ranked as (
    select
        *,
        -- the key holds the email: two spellings of one address are one record
        {{ deduplication_row_number(
            key_columns=[
                'media_date',
                'episode_id',
                'platform',
                normalize_email('subscriber_email'),
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
        media_date,
        media_type,
        episode_id,
        platform,
        listens,
        downloads,
        {{ normalize_email('subscriber_email') }} as email,
        'media_listens' as channel,
        _source_file as source_file,
        _source_row as source_row,
        _delivery_date as delivered_on,
        _loaded_at as loaded_at
    from deduplicated
)

select * from renamed
