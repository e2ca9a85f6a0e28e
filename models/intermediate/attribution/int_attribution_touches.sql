{{ config(materialized='table') }}
{#- A table, not a view: its tests and the models downstream read it several
    times, and as a view each read recomputed it (README, Performance). -#}
{#-
    Marketing touches: the touchpoints that can earn credit for a conversion,
    each with its marketing channel and campaign.

    Which touchpoint types are marketing touches is the attribution_touchpoint_types
    seed. A type with a marketing_channel there takes it (referral invitations);
    a web page view is classified from its landing URL:
      1. utm_campaign is a campaign of the ad spend exports -> that ad channel
         (google_ads, meta_ads, ...) and campaign, so credit joins to spend;
      2. otherwise the first matching rule of the attribution_web_channels seed
         (by rule_order) on utm_medium, utm_source, or, for a page without UTM
         fields, the referrer (organic search, organic social);
      3. no rule: internal navigation or a direct visit, not a touch.
-#}

with

touchpoints as (
    select * from {{ ref('touchpoints') }}
),

page_views as (
    select * from {{ ref('stg_web__page_views') }}
),

touchpoint_types as (
    select * from {{ ref('attribution_touchpoint_types') }}
),

web_channel_rules as (
    select * from {{ ref('attribution_web_channels') }}
),

paid_campaigns as (
    select * from {{ ref('int_attribution_paid_campaigns') }}
),

candidate_touches as (
    select
        touchpoints.touchpoint_id,
        touchpoints.customer_id,
        touchpoints.channel as touchpoint_channel,
        touchpoints.touchpoint_type,
        touchpoints.occurred_at,
        touchpoints.campaign,
        touchpoint_types.marketing_channel as type_marketing_channel
    from touchpoints
    inner join touchpoint_types
        on touchpoints.channel = touchpoint_types.touchpoint_channel
        and touchpoints.touchpoint_type = touchpoint_types.touchpoint_type
    where touchpoint_types.is_marketing_touch
),

-- Only a page with a UTM field or a referrer can be classified (rule 3: the
-- others are not touches), so only those are joined: about a fifth of them.
landing_fields as (
    select
        {{ dbt.concat(["'web:'", "event_id", "':page_view'"]) }} as touchpoint_id,
        lower(utm_source) as utm_source,
        lower(utm_medium) as utm_medium,
        lower(utm_campaign) as utm_campaign_key,
        referrer
    from page_views
    where utm_source is not null
        or utm_medium is not null
        or utm_campaign is not null
        or referrer is not null
),

web_touches as (
    select
        candidate_touches.*,
        landing_fields.utm_source,
        landing_fields.utm_medium,
        landing_fields.utm_campaign_key,
        landing_fields.referrer
    from candidate_touches
    inner join landing_fields
        on candidate_touches.touchpoint_id = landing_fields.touchpoint_id
    where candidate_touches.type_marketing_channel is null
),

-- The rules are matched once per distinct landing (source, medium, campaign,
-- referrer), not per page view: the match is a join on a disjunction (no hash
-- join), and a year of page views has millions of rows but few landings.
landings as (
    select distinct utm_source, utm_medium, utm_campaign_key, referrer
    from web_touches
),

rule_matches as (
    select
        landings.utm_source,
        landings.utm_medium,
        landings.utm_campaign_key,
        landings.referrer,
        web_channel_rules.marketing_channel,
        web_channel_rules.match_on,
        row_number() over (
            partition by
                landings.utm_source,
                landings.utm_medium,
                landings.utm_campaign_key,
                landings.referrer
            order by web_channel_rules.rule_order
        ) as match_rank
    from landings
    inner join web_channel_rules
        on (
            web_channel_rules.match_on = 'utm_medium'
            and landings.utm_medium = web_channel_rules.match_value
        )
        or (
            web_channel_rules.match_on = 'utm_source'
            and landings.utm_source = web_channel_rules.match_value
        )
        or (
            web_channel_rules.match_on = 'referrer'
            and landings.utm_source is null
            and landings.utm_medium is null
            and landings.utm_campaign_key is null
            and landings.referrer like web_channel_rules.match_value
        )
),

web_classified as (
    select
        web_touches.*,
        case
            when paid_campaigns.ad_channel is not null then paid_campaigns.ad_channel
            else rule_matches.marketing_channel
        end as marketing_channel,
        paid_campaigns.campaign as paid_campaign,
        paid_campaigns.ad_channel is not null as is_paid,
        case
            when paid_campaigns.ad_channel is not null then 'ad_spend_campaign'
            else rule_matches.match_on
        end as classified_by
    from web_touches
    left join paid_campaigns
        on web_touches.utm_campaign_key = paid_campaigns.campaign_key
    left join rule_matches
        on web_touches.utm_source is not distinct from rule_matches.utm_source
        and web_touches.utm_medium is not distinct from rule_matches.utm_medium
        and web_touches.utm_campaign_key is not distinct from rule_matches.utm_campaign_key
        and web_touches.referrer is not distinct from rule_matches.referrer
        and rule_matches.match_rank = 1
),

-- A touchpoint type with a marketing channel is classified by it; the
-- others are the web touches classified above (each touchpoint is one or the
-- other: no join of every touch back to the web ones).
classified as (
    select
        touchpoint_id,
        customer_id,
        occurred_at,
        type_marketing_channel as channel,
        coalesce(campaign, '(none)') as campaign,
        false as is_paid,
        'touchpoint_type' as classified_by,
        touchpoint_channel,
        touchpoint_type
    from candidate_touches
    where type_marketing_channel is not null

    union all

    select
        touchpoint_id,
        customer_id,
        occurred_at,
        marketing_channel,
        coalesce(paid_campaign, campaign, '(none)'),
        is_paid,
        classified_by,
        touchpoint_channel,
        touchpoint_type
    from web_classified
),

final as (
    select
        touchpoint_id,
        customer_id,
        occurred_at,
        channel,
        campaign,
        is_paid,
        classified_by,
        touchpoint_channel,
        touchpoint_type
    from classified
    where channel is not null
)

select * from final
