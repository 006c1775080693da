#!/usr/bin/env bash
# Install ClawGym-Env and what its sandboxes need, on Debian or Ubuntu.
#
#   bash scripts/install.sh          # the library, bubblewrap, the sandbox's Python
#   bash scripts/install.sh --rl     # also Ray rollouts and verl (CPU torch first)
#   bash scripts/install.sh --test   # all of the above, the test tools, the Docker engine and debootstrap
#
# System packages are installed with apt-get when missing and we are root;
# otherwise the script stops and prints the exact command to run.
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
with_rl=0
case "${1:-}" in
    --test) with_tests=1; with_rl=1 ;;
    --rl) with_rl=1 ;;
    "") ;;
    *) echo "usage: bash scripts/install.sh [--rl | --test]" >&2; exit 2 ;;
esac

missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
# Commands in the bwrap sandbox see the host's system Python (/usr/bin/python3), not a
# virtualenv or pyenv under a home directory (those are hidden); the released ClawGym
# verifiers need yaml, and tasks run `python` and `pytest`.
/usr/bin/python3 -c 'import yaml, pytest' >/dev/null 2>&1 || missing+=(python3 python3-yaml python3-pytest)
[ -x /usr/bin/python ] || missing+=(python-is-python3)
if [ "$with_tests" = 1 ]; then
    command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
    command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
fi

if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing system packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "error: missing system packages: ${missing[*]}" >&2
        echo "install them with: sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
fi

extras=()
[ "$with_rl" = 1 ] && extras+=(rl verl)
[ "$with_tests" = 1 ] && extras+=(test)
pip_install() { python3 -m pip install -q --disable-pip-version-check "$@"; }
if [ "$with_rl" = 1 ]; then
    # The CPU build first: verl's requirements would otherwise pull a CUDA build of several GB.
    python3 -c 'import torch' >/dev/null 2>&1 || pip_install torch==2.13.0
fi
spec="."
[ "${#extras[@]}" -gt 0 ] && spec=".[$(IFS=,; echo "${extras[*]}")]"
constraints=()
# verl's dependency tree is large: pinned known-good versions keep pip from backtracking for minutes.
[ "$with_rl" = 1 ] && constraints=(-c scripts/constraints.txt)
pip_install "${constraints[@]}" -e "$spec"
# pyenv puts console scripts behind shims that exist only after a rehash.
command -v clawgym >/dev/null 2>&1 || { command -v pyenv >/dev/null 2>&1 && pyenv rehash; } || true
echo "clawgym-env installed: $(python3 -c 'import clawgym_env; print(clawgym_env.__version__)')"
