"""The web shell: REST under /api/v1, the live WebSocket stream, and the browser pages."""
