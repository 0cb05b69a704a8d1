# SPDX-License-Identifier: Apache-2.0
# Sourced by the host-side scripts: install missing Debian packages.
# shellcheck shell=bash

# ensure_packages PKG... : apt-get install the ones not installed yet (needs root).
ensure_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    echo "vm: installing ${missing[*]}" >&2
    if [ "$(id -u)" -ne 0 ]; then
        echo "vm: error: missing packages ${missing[*]} and not root to install them" >&2
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
        { apt-get update >&2 && apt-get install -y --no-install-recommends "${missing[@]}" >&2; } || {
        echo "vm: error: could not install ${missing[*]}" >&2
        return 1
    }
}
