// SPDX-License-Identifier: Apache-2.0
// The limits a start sets on a container (hook/plan/limits.hpp decides them):
// RLIMIT_MEMLOCK of its process and rdma.max of its cgroup.
#pragma once

#include "hook/plan/limits.hpp"

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rnh {

// What a start set, for the journal; `skipped` says why rdma.max was not.
struct LimitsSet {
    std::optional<std::uint64_t> memlock;
    std::optional<std::string> rdma_cgroup;
    std::vector<std::string> rdma_max;
    std::string skipped;
};

// Sets `limits` on process `pid`: RLIMIT_MEMLOCK, which what it runs next
// inherits, and rdma.max of its cgroup for exactly `devices`. Without the rdma
// controller in that cgroup it fails if `controller_required`, else it
// leaves rdma.max and says why. The cgroup's removal ends the limits.
LimitsSet set_limits(pid_t pid, const Limits& limits, const std::vector<std::string>& devices,
                     const std::string& sysfs_root, bool controller_required,
                     const std::string& who);

// Sets RLIMIT_MEMLOCK of process `pid`, soft and hard, to `bytes`
// (oci::memlock_unlimited: RLIM_INFINITY). What the process runs next inherits it.
void set_memlock(pid_t pid, std::uint64_t bytes);
// The soft RLIMIT_MEMLOCK of process `pid`.
std::uint64_t read_memlock(pid_t pid);

// The directory of the rdma cgroup of process `pid`, under `sysfs_root`.
std::string rdma_cgroup_dir(const std::string& sysfs_root, pid_t pid);

// Nothing if `dir` has rdma.max; otherwise why not, and how to fix it: the
// rdma controller is not enabled in its parent's cgroup.subtree_control.
std::string missing_rdma_controller(const std::string& dir);

// Writes each line ("rxe0 hca_handle=2 hca_object=100") to <dir>/rdma.max,
// one write per device as the kernel parses it, then reads the file back and
// fails unless each device shows its limits.
void write_rdma_max(const std::string& dir, const std::vector<std::string>& lines);
std::string read_rdma_max(const std::string& dir);

} // namespace rnh
