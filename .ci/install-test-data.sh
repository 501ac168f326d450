#!/usr/bin/env bash
# Installs what some tests and benchmarks use, when this machine allows it (root with
# apt-get). Never fails: tests that need a missing package skip and print why.
#   - zlib1g-dev: the zlib header the CZlib target builds against (present on Swift images)
#   - dataset-fashion-mnist: Fashion-MNIST in /usr/share/datasets/fashion-mnist
#   - chromium: a real browser, headless, that plays the animated SVGs of --animate
#   - wamerican: /usr/share/dict/words, the words of the character-level language model
#   - libopenmpi-dev, openmpi-bin: Open MPI, for the Distributed/ package and its tests
#     (and pkg-config, which finds it)
set -u
wanted=()
command -v chromium >/dev/null 2>&1 || wanted+=(chromium)
[ -f /usr/include/zlib.h ] || wanted+=(zlib1g-dev)
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || wanted+=(dataset-fashion-mnist)
[ -f /usr/share/dict/words ] || wanted+=(wamerican)
command -v pkg-config >/dev/null 2>&1 || wanted+=(pkg-config)
pkg-config --exists ompi-c 2>/dev/null || wanted+=(libopenmpi-dev)
command -v mpirun >/dev/null 2>&1 || wanted+=(openmpi-bin)
[ ${#wanted[@]} -eq 0 ] && { echo "test data: all present"; exit 0; }

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "test data: cannot install ${wanted[*]} here (needs root and apt-get); tests that need them will skip"
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if apt-get install -y -q "${wanted[@]}" >/tmp/nn-apt.log 2>&1 \
   || { apt-get update -q >>/tmp/nn-apt.log 2>&1 && apt-get install -y -q "${wanted[@]}" >>/tmp/nn-apt.log 2>&1; }; then
    echo "test data: installed ${wanted[*]}"
else
    echo "test data: installing ${wanted[*]} failed (see /tmp/nn-apt.log); tests that need them will skip"
fi
exit 0
