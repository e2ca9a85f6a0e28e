{#- kpi_discovery_daily per week: see macros/kpis/kpi_rollup.sql. -#}
-- distinct counts are counted again over the period from:
-- depends_on: {{ ref('stg_web__page_views') }}
-- depends_on: {{ ref('stg_media__listens') }}
{{ kpi_rollup('kpi_discovery_daily', 'week') }}
