// SPDX-License-Identifier: Apache-2.0
#include "hook/release.hpp"

#include "base/error.hpp"
#include "hook/commands.hpp"
#include "hook/kernel/moves.hpp"
#include "hook/kernel/netdevs.hpp"
#include "hook/kernel/sysfs.hpp"
#include "hook/log.hpp"
#include "hook/plan/device_list.hpp"
#include "hook/state/locks.hpp"

#include <algorithm>

namespace rnh {
namespace {

// Devices of a pod's namespace go home when the last container asking for them stops.
std::vector<nl::Device> not_held_by_others(const Journal& journal, const Assignment& mine)
{
    std::vector<nl::Device> devices;
    auto others = journal.all();
    for (const auto& device : mine.devices) {
        bool shared = std::any_of(others.begin(), others.end(), [&](const Assignment& other) {
            return other.container_id != mine.container_id && other.netns == mine.netns &&
                   find_named(other.devices, device.name) != nullptr;
        });
        if (!shared)
            devices.push_back(device);
    }
    return devices;
}

// The same for the netdevs that went with them.
std::vector<Netdev> netdevs_not_held_by_others(const Journal& journal, const Assignment& mine)
{
    std::vector<Netdev> netdevs;
    auto others = journal.all();
    for (const auto& netdev : mine.netdevs) {
        bool shared = std::any_of(others.begin(), others.end(), [&](const Assignment& other) {
            return other.container_id != mine.container_id && other.netns == mine.netns &&
                   std::any_of(other.netdevs.begin(), other.netdevs.end(),
                               [&](const Netdev& n) { return n.link.name == netdev.link.name; });
        });
        if (!shared)
            netdevs.push_back(netdev);
    }
    return netdevs;
}

// After the devices (hook/plan/netdevs.hpp), their netdevs: sent home from
// inside a namespace still alive, else waited for; then restored. Returns
// what is left, and why.
NetdevReturn release_netdevs(const Config& config, const std::vector<Netdev>& netdevs,
                             const std::optional<Netns>& ns, const Netns& host_ns)
{
    if (netdevs.empty())
        return {};
    std::vector<std::string> sent;
    if (ns)
        sent = send_netdevs_home(netdevs, *ns, host_ns, config.netlink_timeout);
    auto result = restore_netdevs_home(netdevs, config.netlink_timeout, config.return_timeout);
    result.failures.insert(result.failures.begin(), sent.begin(), sent.end());
    return result;
}

} // namespace

void release(const Config& config, const Journal& journal, const Assignment& assignment)
{
    auto devices = not_held_by_others(journal, assignment);
    auto netdevs = netdevs_not_held_by_others(journal, assignment);
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
        errors = return_failures(move_home(devices, *ns, host_ns, session));
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
    const auto netdevs_left = release_netdevs(config, netdevs, ns, host_ns);
    if (missing.empty() && netdevs_left.left.empty()) {
        journal.remove(assignment.container_id);
        return;
    }
    Assignment left = assignment;
    std::erase_if(left.devices, [&missing](const nl::Device& d) {
        return std::find(missing.begin(), missing.end(), d.name) == missing.end();
    });
    left.netdevs = netdevs_left.left;
    journal.write(left);
    std::string text =
        missing.empty()
            ? "network interfaces of container " + assignment.container_id +
                  " are not back as they were: " + listing(netdev_names(netdevs_left.left))
            : "RDMA devices of container " + assignment.container_id +
                  " did not return to the host within " +
                  std::to_string(config.return_timeout.count()) + " ms: " + listing(missing);
    for (const auto& line : errors)
        text += "; " + line;
    for (const auto& line : netdevs_left.failures)
        text += "; " + line;
    fail(text, "the journal keeps them; see `rdma-netns-hook status`");
}

void release_locked(const Config& config, const Journal& journal, const Assignment& seen)
{
    DeviceLocks locks(config.state_dir, names_of(seen.devices));
    if (auto current = journal.read(seen.container_id))
        release(config, journal, *current);
}

} // namespace rnh
