// SPDX-License-Identifier: Apache-2.0
// The rules of confine()'s seccomp filter, built with libseccomp. Only the
// build links this: confine_export turns the filter into the BPF program the
// hook embeds (seccomp_program.inc), and the unit tests compare the two.
#pragma once

#include <linux/filter.h>
#include <seccomp.h>

#include <memory>
#include <vector>

namespace rnh {

using SeccompFilter = std::unique_ptr<void, decltype(&seccomp_release)>;

// Every rule confine() stands for, with libseccomp's defaults for the rest
// (a foreign architecture kills the thread; no_new_privs; no flags).
SeccompFilter confine_filter();

// What seccomp_load() would hand the kernel for FILTER: the program, the
// seccomp(2) flags, and whether it sets no_new_privs first.
struct ExportedFilter {
    std::vector<sock_filter> program;
    unsigned flags = 0;
    bool no_new_privs = false;
};
ExportedFilter export_filter(scmp_filter_ctx filter);

} // namespace rnh
