# SPDX-License-Identifier: Apache-2.0
# Sourced by the build scripts. compiler_cache_args prints the CMake argument that runs
# every compile of a test build through ccache, when it is installed: the cache is kept
# outside the repository, in ${XDG_CACHE_HOME:-$HOME/.cache}/rdma-netns-hook/ccache, and
# keyed by content relative to the clone (CCACHE_BASEDIR), so that a fresh clone reuses
# the objects of another. The launcher carries its settings, so the fault-injection build
# that CTest starts gets them too. What is built is the same compiler's output either way.
compiler_cache_args() {
    command -v ccache >/dev/null || return 0
    local dir=${XDG_CACHE_HOME:-$HOME/.cache}/rdma-netns-hook/ccache
    printf '%s\n' "-DCMAKE_CXX_COMPILER_LAUNCHER=env;CCACHE_DIR=$dir;CCACHE_BASEDIR=$1;CCACHE_NOHASHDIR=true;ccache"
}
