{#- kpi_campaign_daily per month and channel, source, campaign: see macros/kpis/kpi_rollup.sql. -#}
{{ kpi_rollup('kpi_campaign_daily', 'month') }}
