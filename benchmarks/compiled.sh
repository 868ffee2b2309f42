#!/usr/bin/env bash
# Build Hotline's compiled engine (mypyc) into .venv-compiled, optionally test it.
#
#   benchmarks/compiled.sh           # build (about a minute of gcc)
#   benchmarks/compiled.sh --test    # build, then run the core, metrics and twin tests on it
#   .venv-compiled/bin/python benchmarks/twin_vs_simpy.py   # the speed benchmark, compiled
#
# The compiled modules are the same source as the pure ones (setup.py lists them); the pure
# package in .venv stays what the tests and the editable install use.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-compiled/bin/python ]; then
  python3 -m venv .venv-compiled
  .venv-compiled/bin/pip install -q --upgrade pip
fi
.venv-compiled/bin/pip install -q setuptools wheel mypy '.[dev,bench]'
rm -rf build
HOTLINE_COMPILE=1 .venv-compiled/bin/pip install -q --no-build-isolation --no-deps --force-reinstall .
rm -rf build
.venv-compiled/bin/python - <<'PY'
import hotline.core.engine as engine
assert engine.__file__.endswith(".so"), f"not compiled: {engine.__file__}"
print(f"compiled engine: {engine.__file__}")
PY
if [ "${1:-}" = "--test" ]; then
  # From a folder outside the checkout, so `hotline` is the installed, compiled package.
  root=$(pwd)
  cd /tmp && "$root/.venv-compiled/bin/pytest" -p no:cacheprovider --rootdir "$root" \
    -c "$root/pyproject.toml" "$root/tests/unit/core" "$root/tests/unit/metrics" \
    "$root/tests/unit/sim" "$root/tests/property/test_engine_state.py"
fi
