"""Optional compiled build: ``HOTLINE_COMPILE=1 pip install --no-build-isolation .``

The routing core, the KPI accumulator and the twin's loop are plain, strictly typed Python;
mypyc compiles the same modules to C extensions for production speed. Without the variable
(the default, and every editable install) nothing is compiled.
"""

import os

from setuptools import setup

COMPILED = [
    "src/hotline/core/channels.py",
    "src/hotline/core/definitions.py",
    "src/hotline/core/directory.py",
    "src/hotline/core/engine.py",
    "src/hotline/core/event_base.py",
    "src/hotline/core/events.py",
    "src/hotline/core/events_contacts.py",
    "src/hotline/core/events_directory.py",
    "src/hotline/core/expressions.py",
    "src/hotline/core/idle.py",
    "src/hotline/core/live.py",
    "src/hotline/core/routing.py",
    "src/hotline/core/state.py",
    "src/hotline/metrics/accumulator.py",
    "src/hotline/metrics/counts.py",
    "src/hotline/metrics/definitions.py",
    "src/hotline/sim/sampling.py",
    "src/hotline/sim/traffic.py",
    "src/hotline/sim/twin.py",
    "src/hotline/sim/twin_result.py",
    "src/hotline/sim/wait_board.py",
]

# commands.py stays interpreted on purpose: a command is input, and a compiled class would
# refuse a wrongly typed field with a bare TypeError before the engine can name the field.
ext_modules = []
if os.environ.get("HOTLINE_COMPILE") == "1":
    from mypyc.build import mypycify

    ext_modules = mypycify(COMPILED, opt_level="3")

setup(ext_modules=ext_modules)
