{{ config(unique_key=['post_id', 'metric_date']) }}

with

source as (
    select * from {{ staging_source_rows(source('social', 'social_posts'), ['post_id', 'metric_date']) }}
),

ranked as (
    select
        *,
        {{ deduplication_row_number(
            key_columns=[
                'post_id',
                'metric_date',
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
        post_id,
        metric_date,
        platform,
        campaign,
        impressions,
        likes,
        comments,
        shares,
        follower_count,
        'social_posts' as channel,
        _source_file as source_file,
        _source_row as source_row,
        _delivery_date as delivered_on,
        _loaded_at as loaded_at
    from deduplicated
)

select * from renamed
