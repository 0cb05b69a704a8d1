// SPDX-License-Identifier: Apache-2.0
#include "base/error.hpp"
#include "hook/commands.hpp"
#include "hook/kernel/netns.hpp"
#include "hook/plan/device_list.hpp"
#include "hook/release.hpp"
#include "hook/state/journal.hpp"
#include "hook/state/locks.hpp"

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
    Journal journal(config.state_dir);
    std::vector<std::string> failures;
    for (const auto& seen : journal.all()) {
        // Under the locks a hook still running holds, the journal is settled.
        DeviceLocks locks(config.state_dir, names_of(seen.devices));
        auto current = journal.read(seen.container_id);
        if (!current)
            continue;
        auto reason = stale_because(*current);
        if (reason.empty())
            continue;
        try {
            release(config, journal, *current);
            std::printf("recovered container %s (%s)\n", current->container_id.c_str(),
                        reason.c_str());
        } catch (const Error& e) {
            failures.push_back(e.what());
        }
    }
    if (!failures.empty()) {
        std::string text = "recovery left devices out of the host";
        for (const auto& line : failures)
            text += "; " + line;
        fail(text);
    }
}

} // namespace rnh
