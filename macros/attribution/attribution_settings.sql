{#-
    The attribution settings (project vars), validated once so a wrong value
    fails the build with a clear message instead of producing odd credits:
      attribution_lookback_days               touches at most this many days before
                                              the conversion are in its path (>= 0)
      attribution_time_decay_half_life_days   half-life of the time-decay weight (> 0)
      attribution_position_based_first_share  credit of the first touch (position-based)
      attribution_position_based_last_share   credit of the last touch (position-based);
                                              first + last <= 1, the rest goes to the middle
      attribution_conversion_types            touchpoint types that are conversions
      channel_performance_attribution_model   model whose revenue channel_performance_* report
-#}
{% macro attribution_settings() -%}
    {%- set models = ['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based'] -%}
    {%- set settings = {
        'lookback_days': var('attribution_lookback_days', 30),
        'half_life_days': var('attribution_time_decay_half_life_days', 7),
        'first_share': var('attribution_position_based_first_share', 0.4),
        'last_share': var('attribution_position_based_last_share', 0.4),
        'conversion_types': var('attribution_conversion_types', ['purchase', 'subscription_started']),
        'performance_model': var('channel_performance_attribution_model', 'last_touch'),
        'models': models,
    } -%}
    {%- if settings.lookback_days is not number or settings.lookback_days < 0 -%}
        {{ exceptions.raise_compiler_error(
            "var attribution_lookback_days must be a number of days >= 0, got "
            ~ settings.lookback_days) }}
    {%- endif -%}
    {%- if settings.half_life_days is not number or settings.half_life_days <= 0 -%}
        {{ exceptions.raise_compiler_error(
            "var attribution_time_decay_half_life_days must be a number of days > 0, got "
            ~ settings.half_life_days) }}
    {%- endif -%}
    {%- if settings.first_share is not number or settings.last_share is not number
        or settings.first_share < 0 or settings.last_share < 0
        or settings.first_share + settings.last_share > 1
        or settings.first_share + settings.last_share == 0 -%}
        {{ exceptions.raise_compiler_error(
            "vars attribution_position_based_first_share and _last_share must be shares >= 0"
            ~ " with 0 < first + last <= 1, got " ~ settings.first_share ~ " and "
            ~ settings.last_share) }}
    {%- endif -%}
    {%- if settings.conversion_types is string or settings.conversion_types | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "var attribution_conversion_types must be a non-empty list of touchpoint types, got "
            ~ settings.conversion_types) }}
    {%- endif -%}
    {%- if settings.performance_model not in models -%}
        {{ exceptions.raise_compiler_error(
            "var channel_performance_attribution_model must be one of " ~ models | join(', ')
            ~ ", got " ~ settings.performance_model) }}
    {%- endif -%}
    {{ return(settings) }}
{%- endmacro %}
