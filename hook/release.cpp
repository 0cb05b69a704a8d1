// SPDX-License-Identifier: Apache-2.0
#include "hook/release.hpp"

#include "base/error.hpp"
#include "hook/kernel/moves.hpp"
#include "hook/kernel/netdevs.hpp"
#include "hook/kernel/sysfs.hpp"
#include "hook/log.hpp"
#include "hook/plan/device_list.hpp"
#include "hook/sessions.hpp"
#include "hook/state/locks.hpp"

#include <algorithm>

namespace rnh {
namespace {

// Devices of a pod's namespace go home when the last container asking for
// them stops, and so do the netdevs that went with them.
template <typename Item, typename Same>
std::vector<Item> not_held_by_others(const std::vector<Assignment>& others, const Assignment& mine,
                                     const std::vector<Item> Assignment::*items, Same same)
{
    std::vector<Item> free;
    for (const auto& item : mine.*items) {
        const bool shared = std::any_of(others.begin(), others.end(), [&](const Assignment& o) {
            return o.container_id != mine.container_id && o.netns == mine.netns &&
                   std::any_of((o.*items).begin(), (o.*items).end(),
                               [&](const Item& theirs) { return same(theirs, item); });
        });
        if (!shared)
            free.push_back(item);
    }
    return free;
}

} // namespace

void release(const Config& config, const Journal& journal, const Assignment& assignment)
{
    const auto others = journal.all();
    auto devices = not_held_by_others(
        others, assignment, &Assignment::devices,
        [](const nl::Device& a, const nl::Device& b) { return a.name == b.name; });
    auto netdevs = not_held_by_others(
        others, assignment, &Assignment::netdevs,
        [](const Netdev& a, const Netdev& b) { return a.link.name == b.link.name; });
    if (devices.empty() && netdevs.empty()) {
        journal.remove(assignment.container_id);
        return;
    }
    const auto session = rdma_session(config);
    auto host = session.open();
    auto host_ns = own_netns();
    // The namespace may still be alive (pinned by a pod or a bind mount): then
    // the devices must be sent home from inside it. If it is gone, the kernel
    // returns them to the initial namespace by itself, a moment later
    // (rdma_dev_exit_net), so waiting is all there is to do.
    std::vector<std::string> errors;
    auto ns = find_netns(assignment.netns, assignment.netns_path);
    if (ns && !devices.empty())
        errors = failure_lines(move_home(devices, *ns, host_ns, session));
    auto missing = wait_home(names_of(devices), host, config.return_timeout);
    // A device deleted while assigned (`rdma link delete`, a driver unbound)
    // will never come back; the verbs class is not namespaced, so a device
    // that still exists anywhere still has its node there.
    const auto existing = missing.empty() ? std::map<std::string, std::string>{}
                                          : read_verbs_nodes(config.sysfs_root);
    std::erase_if(missing, [&](const std::string& name) {
        if (existing.contains(name))
            return false;
        log_warning("RDMA device " + name + " of container " + assignment.container_id +
                    " no longer exists (deleted while assigned); forgetting it");
        return true;
    });
    // After the devices, their netdevs (hook/plan/netdevs.hpp).
    const auto netdevs_back = NetdevCarrier(route_session(config), config.return_timeout)
                                  .bring_home(netdevs, ns ? &*ns : nullptr, host_ns);
    std::vector<Netdev> netdevs_left;
    std::vector<std::string> not_home;
    for (const auto& [netdev, error] : netdevs_back.failed) {
        netdevs_left.push_back(netdev);
        if (netdev.not_home)
            not_home.push_back(netdev.link.name);
    }
    if (missing.empty() && netdevs_left.empty()) {
        journal.remove(assignment.container_id);
        return;
    }
    Assignment left = assignment;
    std::erase_if(left.devices, [&missing](const nl::Device& d) {
        return std::find(missing.begin(), missing.end(), d.name) == missing.end();
    });
    left.netdevs = netdevs_left;
    journal.write(left);
    std::string text =
        missing.empty()
            ? "network interfaces of container " + assignment.container_id +
                  " are not back as they were: " + listing(netdev_names(netdevs_left))
            : "RDMA devices of container " + assignment.container_id +
                  " did not return to the host within " +
                  std::to_string(config.return_timeout.count()) + " ms: " + listing(missing);
    for (const auto& line : errors)
        text += "; " + line;
    for (const auto& line : failure_lines(netdevs_back))
        text += "; " + line;
    if (!not_home.empty())
        text += "; NOT HOME, found neither in the host nor in the container's namespace "
                "(renamed, or moved on into another namespace): " +
                listing(not_home);
    fail(text, "the journal keeps them; see `rdma-netns-hook status`; `rdma-netns-hook recover` "
               "looks for them again (by parent device and permanent MAC address) once they "
               "are in the host or that namespace");
}

void release_locked(const Config& config, const Journal& journal, const Assignment& seen)
{
    DeviceLocks locks(config.state_dir, names_of(seen.devices));
    if (auto current = journal.read(seen.container_id))
        release(config, journal, *current);
}

void release_each(const Config& config, const Journal& journal, const ReleaseReason& reason,
                  const std::string& failed, const OnReleased& on_released)
{
    std::vector<std::string> failures;
    for (const auto& seen : journal.all()) {
        // Under the locks a hook still running holds, the journal is settled.
        DeviceLocks locks(config.state_dir, names_of(seen.devices));
        auto current = journal.read(seen.container_id);
        if (!current)
            continue;
        const auto why = reason(*current);
        if (why.empty())
            continue;
        try {
            release(config, journal, *current);
            if (on_released)
                on_released(*current, why);
        } catch (const Error& e) {
            failures.emplace_back(e.what());
        }
    }
    if (failures.empty())
        return;
    std::string text = failed;
    for (const auto& line : failures)
        text += "; " + line;
    fail(text, "see `rdma-netns-hook status`");
}

} // namespace rnh
