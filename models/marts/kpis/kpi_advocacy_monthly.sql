{#- kpi_advocacy_daily per month: see macros/kpis/kpi_rollup.sql. -#}
{{ kpi_rollup('kpi_advocacy_daily', 'month') }}
