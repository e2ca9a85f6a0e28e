{#- kpi_advocacy_daily per week: see macros/kpis/kpi_rollup.sql. -#}
{{ kpi_rollup('kpi_advocacy_daily', 'week') }}
