{#- kpi_discovery_daily per month: see macros/kpis/kpi_rollup.sql. -#}
-- depends_on: {{ ref('stg_web__page_views') }}  (web_unique_visitors is counted again)
{{ kpi_rollup('kpi_discovery_daily', 'month') }}
