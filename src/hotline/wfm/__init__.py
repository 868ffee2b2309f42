"""Workforce management maths: Erlang, staffing, forecasting, scheduling, intraday (pure)."""
