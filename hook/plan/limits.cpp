// SPDX-License-Identifier: Apache-2.0
#include "hook/plan/limits.hpp"

#include "base/error.hpp"

#include <charconv>
#include <sstream>

namespace rnh {
namespace {

std::string limit_text(const std::optional<std::uint32_t>& value)
{
    return value ? std::to_string(*value) : "max";
}

// "max" -> unset; a number from 0 below INT32_MAX, which the kernel prints as "max".
std::optional<std::uint32_t> limit_value(std::string_view text, const std::string& what)
{
    if (text == "max")
        return std::nullopt;
    std::uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value >= INT32_MAX)
        fail(what + ": \"" + std::string(text) + "\" is not a limit");
    return value;
}

} // namespace

Limits plan_limits(const Config& config, const oci::Request& request,
                   const std::optional<std::uint64_t>& spec_memlock)
{
    Limits limits;
    limits.rdma = config.policy.rdma_limits;
    if (request.memlock) {
        const auto& max = config.policy.max_memlock;
        const std::string asked = "annotation " + std::string(oci::annotation_memlock) + " (" +
                                  oci::memlock_text(*request.memlock) + ")";
        if (!max)
            fail(asked + " is not honoured: " + config.source + " sets no policy.max_memlock",
                 "ask the operator to set policy.max_memlock, or remove the annotation");
        if (*request.memlock > *max)
            fail(asked + " is above policy.max_memlock (" + oci::memlock_text(*max) + ") of " +
                     config.source,
                 "ask for at most " + oci::memlock_text(*max));
    }
    if (!spec_memlock)
        limits.memlock = request.memlock ? request.memlock : config.memlock;
    return limits;
}

std::string rdma_max_line(const std::string& device, const RdmaLimits& limits)
{
    return device + " hca_handle=" + limit_text(limits.hca_handle) +
           " hca_object=" + limit_text(limits.hca_object);
}

std::map<std::string, RdmaLimits> parse_rdma_max(std::string_view text, const std::string& what)
{
    std::map<std::string, RdmaLimits> out;
    std::istringstream lines{std::string(text)};
    for (std::string line; std::getline(lines, line);) {
        std::istringstream fields(line);
        std::string device, field;
        if (!(fields >> device))
            continue;
        RdmaLimits limits;
        while (fields >> field) {
            auto eq = field.find('=');
            auto name = field.substr(0, eq);
            if (eq == std::string::npos)
                fail(what + ": \"" + field + "\" is not name=value");
            if (name == "hca_handle")
                limits.hca_handle = limit_value(field.substr(eq + 1), what);
            else if (name == "hca_object")
                limits.hca_object = limit_value(field.substr(eq + 1), what);
        }
        out[device] = limits;
    }
    return out;
}

CgroupPath rdma_cgroup_of(std::string_view proc_cgroup, const std::string& what)
{
    std::optional<CgroupPath> v1;
    std::istringstream lines{std::string(proc_cgroup)};
    for (std::string line; std::getline(lines, line);) {
        // hierarchy-ID:controller-list:path; the path may hold ':'
        auto first = line.find(':');
        auto second = first == std::string::npos ? first : line.find(':', first + 1);
        if (second == std::string::npos)
            continue;
        auto path = line.substr(second + 1);
        // outside the reader's cgroup namespace the kernel writes "/../x"
        if (path.empty() || path.front() != '/' || path.find("/..") != std::string::npos)
            continue;
        if (line.compare(0, second + 1, "0::") == 0)
            return {path, true};
        std::istringstream controllers(line.substr(first + 1, second - first - 1));
        for (std::string c; std::getline(controllers, c, ',');)
            if (c == "rdma")
                v1 = CgroupPath{path, false};
    }
    if (!v1)
        fail(what + " names neither a cgroup v2 path nor a v1 hierarchy with the rdma controller",
             "mount cgroup v2 (or v1 with the rdma controller) to use policy.rdma_limits");
    return *v1;
}

std::string cgroup_dir(const std::string& sysfs_root, const CgroupPath& cgroup)
{
    auto dir = sysfs_root + (cgroup.v2 ? "/fs/cgroup" : "/fs/cgroup/rdma");
    return cgroup.path == "/" ? dir : dir + cgroup.path;
}

} // namespace rnh
