// SPDX-License-Identifier: Apache-2.0
#include "base/error.hpp"
#include "hook/commands.hpp"
#include "hook/kernel/netns.hpp"
#include "hook/release.hpp"
#include "hook/state/journal.hpp"

#include <cstdio>

namespace rnh {
namespace {

bool namespace_alive(const Assignment& a)
{
    return find_netns(a.netns, a.netns_path).has_value();
}

// The recorded process still runs in the recorded namespace (a reused pid
// would be in another one).
bool process_alive(const Assignment& a)
{
    if (!a.pid)
        return false;
    try {
        return netns_of_pid(*a.pid).id == a.netns;
    } catch (const Error&) {
        return false;
    }
}

// Why an assignment is stale, or empty when its container may still be running.
std::string stale_because(const Assignment& a)
{
    if (a.phase == Assignment::Phase::moving)
        return "its prestart was interrupted";
    if (!namespace_alive(a))
        return "its network namespace is gone";
    if (a.pid && !process_alive(a))
        return "its process " + std::to_string(*a.pid) + " is gone";
    return {};
}

} // namespace

void run_recover(const Config& config)
{
    release_each(
        config, Journal(config.state_dir), stale_because, "recovery left devices out of the host",
        [](const Assignment& a, const std::string& reason) {
            std::printf("recovered container %s (%s)\n", a.container_id.c_str(), reason.c_str());
        });
}

} // namespace rnh
