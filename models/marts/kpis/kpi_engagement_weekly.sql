{#- kpi_engagement_daily per week: see macros/kpis/kpi_rollup.sql. -#}
{{ kpi_rollup('kpi_engagement_daily', 'week') }}
