// SPDX-License-Identifier: Apache-2.0
// What a start sets besides moving devices: the container's locked-memory
// limit and its rdma cgroup limits. Pure: the decisions and the text of the
// kernel's files; hook/kernel/limits.hpp reads and writes them.
#pragma once

#include "hook/config/config.hpp"
#include "oci/request.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rnh {

// The limits of one start, decided before anything moves.
struct Limits {
    std::optional<std::uint64_t> memlock; // RLIMIT_MEMLOCK to set; unset: leave it
    std::optional<RdmaLimits> rdma;       // rdma.max for each device; unset: leave it
    bool operator==(const Limits&) const = default;
};

// The annotation's memlock, else the config's; none when config.json sets
// RLIMIT_MEMLOCK itself (`spec_memlock`), which wins on every runtime.
// Refuses an annotation when the policy sets no max_memlock, or one above it.
Limits plan_limits(const Config& config, const oci::Request& request,
                   const std::optional<std::uint64_t>& spec_memlock);

// "rxe0 hca_handle=2 hca_object=max": one write to rdma.max, one device.
std::string rdma_max_line(const std::string& device, const RdmaLimits& limits);

// rdma.max as the kernel prints it (every RDMA device it knows, "max" where no
// limit is set): device -> its limits, "max" as unset.
std::map<std::string, RdmaLimits> parse_rdma_max(std::string_view text, const std::string& what);

// Where a process's rdma cgroup is, from /proc/PID/cgroup: the cgroup v2
// line "0::/path", or else the v1 hierarchy that has the rdma controller.
struct CgroupPath {
    std::string path; // from the hierarchy's root, starting with '/'
    bool v2 = true;
};
CgroupPath rdma_cgroup_of(std::string_view proc_cgroup, const std::string& what);

// "/sys/fs/cgroup/path" (v2) or "/sys/fs/cgroup/rdma/path" (v1) under `sysfs_root`.
std::string cgroup_dir(const std::string& sysfs_root, const CgroupPath& cgroup);

} // namespace rnh
