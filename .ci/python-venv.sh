#!/usr/bin/env bash
# Creates .build/python-venv with safetensors and numpy, for the test that reads swift-nn's
# model files from Python. Never fails: without it that test skips and prints why.
set -u
cd "$(dirname "$0")/.."
venv=.build/python-venv
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import safetensors, numpy" 2>/dev/null; then
    echo "python venv: ready"; exit 0
fi
mkdir -p .build
if python3 -m venv "$venv" >/tmp/nn-venv.log 2>&1 \
   && "$venv/bin/pip" install -q safetensors numpy >>/tmp/nn-venv.log 2>&1 \
   && "$venv/bin/python" -c "import safetensors, numpy" >>/tmp/nn-venv.log 2>&1; then
    echo "python venv: installed safetensors and numpy"
else
    echo "python venv: could not install safetensors and numpy (see /tmp/nn-venv.log); the Python cross-check will skip"
fi
exit 0
