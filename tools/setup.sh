#!/usr/bin/env bash
# One-step setup for a fresh Debian 12 (bookworm) machine, run from anywhere as root
# (or as a user with sudo): installs the missing build dependencies, then configures and
# builds apy (Release) in build/.
#   bash tools/setup.sh            install what is missing + build
#   bash tools/setup.sh --deps     only install what is missing
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${APY_BUILD_DIR:-$ROOT/build}"
PACKAGES=(re2c bison cmake ninja-build g++ libgtest-dev libgmp-dev libreadline-dev)

missing=()
for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done
# python3 (3.11 on Debian 12) runs the golden tests; keep an existing one.
if ! python3 --version >/dev/null 2>&1; then
    missing+=(python3)
fi

if ((${#missing[@]})); then
    echo "setup: installing missing packages: ${missing[*]}"
    SUDO=()
    if [ "$(id -u)" -ne 0 ]; then
        SUDO=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update
    "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
else
    echo "setup: all build dependencies are present"
fi

if [ "${1:-}" = "--deps" ]; then
    exit 0
fi

echo "setup: building Release in $BUILD_DIR"
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$BUILD_DIR"
echo "setup: done: $BUILD_DIR/apy"
