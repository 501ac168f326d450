#!/usr/bin/env bash
# Creates .build/python-venv for the Python cross-checks: safetensors and numpy (Python reads
# swift-nn's model files), tensorboard (its own reader reads `nn train --tensorboard` logs),
# onnx and onnxruntime (an exported model passes ONNX's checker and runs in ONNX Runtime).
# Never fails: a check whose packages are missing skips and prints why.
set -u
cd "$(dirname "$0")/.."
venv=.build/python-venv
log=/tmp/nn-venv.log
mkdir -p .build
if ! { [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import safetensors, numpy" 2>/dev/null; }; then
    if python3 -m venv "$venv" >$log 2>&1 \
       && "$venv/bin/pip" install -q safetensors numpy >>$log 2>&1 \
       && "$venv/bin/python" -c "import safetensors, numpy" >>$log 2>&1; then
        echo "python venv: installed safetensors and numpy"
    else
        echo "python venv: could not install safetensors and numpy (see $log); the Python cross-checks will skip"
        exit 0
    fi
fi

# extra NAME PROBE PACKAGE...: installs PACKAGEs unless PROBE already imports.
extra() {
    local name=$1 probe=$2
    shift 2
    if "$venv/bin/python" -c "$probe" 2>/dev/null; then echo "python venv: $name ready"; return; fi
    if "$venv/bin/pip" install -q "$@" >>$log 2>&1 && "$venv/bin/python" -c "$probe" >>$log 2>&1; then
        echo "python venv: installed $*"
    else
        echo "python venv: could not install $* (see $log); the $name check will skip"
    fi
}
extra "TensorBoard reader" "from tensorboard.backend.event_processing.event_accumulator import EventAccumulator" tensorboard
extra "ONNX Runtime" "import onnx, onnx.checker, onnxruntime" onnx onnxruntime
exit 0
