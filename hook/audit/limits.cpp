// SPDX-License-Identifier: Apache-2.0
#include "hook/audit/limits.hpp"

#include "base/error.hpp"
#include "hook/kernel/limits.hpp"
#include "hook/plan/limits.hpp"
#include "oci/request.hpp"

namespace rnh {

std::vector<std::string> limit_breaches(const Assignment& a, const LimitsNow& now)
{
    std::vector<std::string> out;
    const auto who = "container " + a.container_id;
    if (a.memlock) {
        const auto set = oci::memlock_text(*a.memlock);
        if (!now.memlock)
            out.push_back(who + ": its RLIMIT_MEMLOCK cannot be read (" + now.memlock_error +
                          "); the hook set " + set);
        else if (*now.memlock != *a.memlock)
            out.push_back(who + ": RLIMIT_MEMLOCK of pid " + std::to_string(a.pid.value_or(0)) +
                          " is " + oci::memlock_text(*now.memlock) + ", but the hook set " + set);
    }
    if (a.rdma_max.empty())
        return out;
    const auto file = a.rdma_cgroup.value_or("") + "/rdma.max";
    if (!now.rdma_max) {
        out.push_back(who + ": " + file + " cannot be read (" + now.rdma_max_error +
                      "); the hook set its devices' limits there");
        return out;
    }
    const auto seen = parse_rdma_max(*now.rdma_max, file);
    for (const auto& line : a.rdma_max) {
        const auto device = line.substr(0, line.find(' '));
        auto it = seen.find(device);
        auto actual = it == seen.end() ? device + " absent" : rdma_max_line(device, it->second);
        if (actual != line)
            out.push_back(who + ": " + file + " has \"" + actual + "\", but the hook set \"" +
                          line + "\"");
    }
    return out;
}

std::vector<std::string> audit_limits(const std::vector<Assignment>& journal, NsId netns)
{
    std::vector<std::string> out;
    for (const auto& a : journal) {
        if (a.netns != netns || (!a.memlock && a.rdma_max.empty()))
            continue;
        LimitsNow now;
        try {
            if (a.memlock && !a.pid)
                now.memlock_error = "the journal has no pid for it";
            else if (a.memlock)
                now.memlock = read_memlock(*a.pid);
        } catch (const Error& e) {
            now.memlock_error = e.what();
        }
        try {
            if (!a.rdma_max.empty())
                now.rdma_max = read_rdma_max(a.rdma_cgroup.value_or(""));
        } catch (const Error& e) {
            now.rdma_max_error = e.what();
        }
        for (auto& line : limit_breaches(a, now))
            out.push_back(std::move(line));
    }
    return out;
}

} // namespace rnh
