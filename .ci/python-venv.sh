#!/usr/bin/env bash
# Creates .build/python-venv with safetensors and numpy, for the test that reads swift-nn's
# model files from Python, and tensorboard, for the test that reads `nn train --tensorboard`
# logs with TensorBoard's own reader. Never fails: without them those tests skip and print why.
set -u
cd "$(dirname "$0")/.."
venv=.build/python-venv
reader="from tensorboard.backend.event_processing.event_accumulator import EventAccumulator"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import safetensors, numpy" 2>/dev/null; then
    if "$venv/bin/python" -c "$reader" 2>/dev/null; then echo "python venv: ready"; exit 0; fi
    if "$venv/bin/pip" install -q tensorboard >>/tmp/nn-venv.log 2>&1 && "$venv/bin/python" -c "$reader" >>/tmp/nn-venv.log 2>&1; then
        echo "python venv: ready, tensorboard installed"
    else
        echo "python venv: could not install tensorboard (see /tmp/nn-venv.log); the TensorBoard reader check will skip"
    fi
    exit 0
fi
mkdir -p .build
if python3 -m venv "$venv" >/tmp/nn-venv.log 2>&1 \
   && "$venv/bin/pip" install -q safetensors numpy >>/tmp/nn-venv.log 2>&1 \
   && "$venv/bin/python" -c "import safetensors, numpy" >>/tmp/nn-venv.log 2>&1; then
    echo "python venv: installed safetensors and numpy"
    if "$venv/bin/pip" install -q tensorboard >>/tmp/nn-venv.log 2>&1 && "$venv/bin/python" -c "$reader" >>/tmp/nn-venv.log 2>&1; then
        echo "python venv: installed tensorboard"
    else
        echo "python venv: could not install tensorboard (see /tmp/nn-venv.log); the TensorBoard reader check will skip"
    fi
else
    echo "python venv: could not install safetensors and numpy (see /tmp/nn-venv.log); the Python cross-checks will skip"
fi
exit 0
