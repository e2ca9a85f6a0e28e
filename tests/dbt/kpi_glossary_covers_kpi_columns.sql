{{ config(meta={"dagster": {"ref": {"name": "kpi_glossary"}}}) }}
{#-
    The KPI glossary and the KPI marts agree. Fails with one row per problem:
    - missing_glossary_row: a KPI column of a mart in models/marts/kpis,
      models/marts/value or models/marts/channels has no glossary row
      (mart, column_name). Not KPIs: the columns in var kpi_dimension_columns.
      A rollup mart (meta kpi_rollup_of) is covered by its daily mart's rows;
      a column with meta kpi_same_as: <mart>.<column> by that KPI's row.
    - unknown_column: a glossary row names a mart or column that does not
      exist (rows of a mart in var kpi_glossary_pending_marts are skipped
      while that mart does not exist).
    The mart columns come from the models' yml, which the enforced contracts
    keep equal to the built tables.
-#}
{%- set kpi_folders = ['marts/kpis/', 'marts/value/', 'marts/channels/'] -%}
{%- set dimensions = var('kpi_dimension_columns', []) -%}
{%- set pending = var('kpi_glossary_pending_marts', []) -%}
{%- set kpi_columns = [] -%}
{%- set all_columns = [] -%}
{%- set models = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' -%}
        {%- do models.append(node.name) -%}
        {%- set meta = {} -%}
        {%- do meta.update(node.get('meta') or {}) -%}
        {%- do meta.update((node.get('config') or {}).get('meta') or {}) -%}
        {%- set path = node.path.replace('\\', '/') -%}
        {%- set in_kpi_folder = (path.split('/')[:2] | join('/')) ~ '/' in kpi_folders -%}
        {%- for name, column in node.columns.items() -%}
            {%- do all_columns.append((node.name, name)) -%}
            {%- set column_meta = {} -%}
            {%- do column_meta.update(column.get('meta') or {}) -%}
            {%- do column_meta.update((column.get('config') or {}).get('meta') or {}) -%}
            {%- if in_kpi_folder and name not in dimensions
                and (node.name ~ '.' ~ name) not in dimensions -%}
                {%- set covering_mart = meta.get('kpi_rollup_of', node.name) -%}
                {%- set covering_column = name -%}
                {%- if column_meta.get('kpi_same_as') -%}
                    {%- set covering_mart, covering_column = column_meta['kpi_same_as'].split('.') -%}
                {%- endif -%}
                {%- do kpi_columns.append((node.name, name, covering_mart, covering_column)) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
{%- endif %}

with

glossary as (
    select * from {{ ref('kpi_glossary') }}
),

kpi_columns as (
    {#- One VALUES list, not a chain of unions: Spark's analyser overflows its
        stack on hundreds of union branches. -#}
    {%- if kpi_columns %}
    select * from (
        values
        {%- for mart, column, covering_mart, covering_column in kpi_columns %}
        ('{{ mart }}', '{{ column }}', '{{ covering_mart }}', '{{ covering_column }}')
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    ) as kpi_column_rows (mart, column_name, covering_mart, covering_column)
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as mart,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as covering_mart,
        cast(null as {{ dbt.type_string() }}) as covering_column
    where 1 = 0
    {%- endif %}
),

project_columns as (
    {%- if all_columns %}
    select * from (
        values
        {%- for mart, column in all_columns %}
        ('{{ mart }}', '{{ column }}')
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    ) as project_column_rows (mart, column_name)
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as mart,
        cast(null as {{ dbt.type_string() }}) as column_name
    where 1 = 0
    {%- endif %}
),

missing_glossary_rows as (
    select
        'missing_glossary_row' as problem,
        kpi_columns.mart,
        kpi_columns.column_name
    from kpi_columns
    left join glossary
        on kpi_columns.covering_mart = glossary.mart
        and kpi_columns.covering_column = glossary.column_name
    where glossary.kpi is null
),

unknown_columns as (
    select
        'unknown_column' as problem,
        glossary.mart,
        glossary.column_name
    from glossary
    left join project_columns
        on glossary.mart = project_columns.mart
        and glossary.column_name = project_columns.column_name
    where project_columns.mart is null
        {%- set pending_missing = [] -%}
        {%- for mart in pending if mart not in models -%}
            {%- do pending_missing.append("'" ~ mart ~ "'") -%}
        {%- endfor %}
        {%- if pending_missing %}
        and glossary.mart not in ({{ pending_missing | join(', ') }})
        {%- endif %}
)

select * from missing_glossary_rows
union all
select * from unknown_columns
