{#- kpi_engagement_daily per month: see macros/kpis/kpi_rollup.sql. -#}
{{ kpi_rollup('kpi_engagement_daily', 'month') }}
