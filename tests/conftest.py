"""Test-wide settings."""

import os

# Rich consoles are created at import and wrap at the terminal's width; tests read CLI output
# as text, so give them a wide, fixed width (paths under pytest's tmp_path are long).
os.environ["COLUMNS"] = "250"
