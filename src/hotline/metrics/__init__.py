"""KPI definitions, per-interval and real-time aggregation (pure)."""
