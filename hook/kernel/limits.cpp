// SPDX-License-Identifier: Apache-2.0
#include "hook/kernel/limits.hpp"

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/file.hpp"
#include "hook/plan/limits.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>

namespace rnh {

void set_memlock(pid_t pid, std::uint64_t bytes)
{
    const rlimit64 limit{bytes, bytes};
    if (::prlimit64(pid, RLIMIT_MEMLOCK, &limit, nullptr) != 0)
        fail_errno("setting RLIMIT_MEMLOCK of process " + std::to_string(pid));
}

std::uint64_t read_memlock(pid_t pid)
{
    rlimit64 limit{};
    if (::prlimit64(pid, RLIMIT_MEMLOCK, nullptr, &limit) != 0)
        fail_errno("reading RLIMIT_MEMLOCK of process " + std::to_string(pid));
    return limit.rlim_cur;
}

std::string rdma_cgroup_dir(const std::string& sysfs_root, pid_t pid)
{
    const auto file = "/proc/" + std::to_string(pid) + "/cgroup";
    return cgroup_dir(sysfs_root, rdma_cgroup_of(read_file(file, 1 << 16), file));
}

std::string missing_rdma_controller(const std::string& dir)
{
    if (::access((dir + "/rdma.max").c_str(), F_OK) == 0)
        return {};
    const auto parent = std::filesystem::path(dir).parent_path().string();
    return "the rdma cgroup controller is not enabled for the container's cgroup " + dir +
           " (it has no rdma.max); enable it with `echo +rdma > " + parent +
           "/cgroup.subtree_control` (and in each cgroup above), or set missing_rdma_controller "
           "to \"warn\" to start without the limits";
}

void write_rdma_max(const std::string& dir, const std::vector<std::string>& lines)
{
    const auto file = dir + "/rdma.max";
    Fd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd)
        fail_errno("opening " + file);
    for (const auto& line : lines)
        if (::write(fd.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size()))
            fail_errno("writing \"" + line + "\" to " + file);
    const auto now = parse_rdma_max(read_rdma_max(dir), file);
    for (const auto& line : lines) {
        const auto device = line.substr(0, line.find(' '));
        auto it = now.find(device);
        if (it == now.end() || rdma_max_line(device, it->second) != line)
            fail(file + " does not show \"" + line + "\" after writing it");
    }
}

std::string read_rdma_max(const std::string& dir)
{
    return read_file(dir + "/rdma.max", 1 << 20);
}

LimitsSet set_limits(pid_t pid, const Limits& limits, const std::vector<std::string>& devices,
                     const std::string& sysfs_root, bool controller_required,
                     const std::string& who)
{
    LimitsSet set;
    if (limits.memlock) {
        set_memlock(pid, *limits.memlock);
        set.memlock = limits.memlock;
    }
    if (!limits.rdma)
        return set;
    const auto dir = rdma_cgroup_dir(sysfs_root, pid);
    if (auto missing = missing_rdma_controller(dir); !missing.empty()) {
        if (controller_required)
            fail(who + ": " + missing);
        set.skipped = who + " starts without policy.rdma_limits: " + missing;
        return set;
    }
    for (const auto& device : devices)
        set.rdma_max.push_back(rdma_max_line(device, *limits.rdma));
    write_rdma_max(dir, set.rdma_max);
    set.rdma_cgroup = dir;
    return set;
}

} // namespace rnh
