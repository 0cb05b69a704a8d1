// SPDX-License-Identifier: Apache-2.0
#include "hook/plan/decide.hpp"

#include "base/error.hpp"
#include "hook/plan/device_list.hpp"
#include "hook/plan/policy.hpp"

#include <algorithm>
#include <map>
#include <string>

namespace rnh {
namespace {

// An attachment of the CNI plugin names a network namespace, not a process:
// there is no process to give RLIMIT_MEMLOCK and no cgroup to limit. A pod
// gets its limits through the runtime's route (rdma-netns-runtime).
Limits limits_of(const Config& config, const Container& container)
{
    if (container.cni)
        return {};
    auto limits = plan_limits(config, container.request, container.spec_memlock);
    if ((limits.memlock || limits.rdma) && !container.pid)
        fail("container " + container.id + " has no process to set its limits on",
             "remove memlock and policy.rdma_limits from " + config.source +
                 " for containers named only by a network namespace");
    return limits;
}

std::size_t count_after(const std::vector<nl::Device>& held, const Plan& plan)
{
    auto names = names_of(held);
    for (const auto* list : {&plan.to_move, &plan.already_there})
        for (const auto& d : *list)
            if (std::find(names.begin(), names.end(), d.name) == names.end())
                names.push_back(d.name);
    return names.size();
}

// A device plugin's allocation bounds what the configuration's lists may add.
void check_allocation(const std::vector<std::string>& allocation,
                      const std::vector<nl::Device>& devices,
                      const std::map<std::string, std::string>& pci_addresses)
{
    for (const auto& d : devices) {
        auto it = pci_addresses.find(d.name);
        if (it != pci_addresses.end() &&
            std::find(allocation.begin(), allocation.end(), it->second) != allocation.end())
            continue;
        fail("RDMA device " + d.name +
                 (it == pci_addresses.end() ? " (no PCI function)" : " (PCI " + it->second + ")") +
                 " is outside the device plugin's allocation (\"deviceID\" " + listing(allocation) +
                 ")",
             "a list in the network configuration may only narrow \"deviceID\", never widen it");
    }
}

} // namespace

bool netdevs_wanted(const Config& config, const oci::Request& request)
{
    return config.policy.allow_with_netdevs && request.with_netdevs.value_or(config.with_netdevs);
}

bool pci_addresses_wanted(const Config& config, const Container& container)
{
    return config.policy.has_device_rules() || container.allocation.has_value();
}

Decision decide(const Config& config, const Container& container, const Snapshot& snapshot,
                const std::vector<nl::Device>& held)
{
    const auto& policy = config.policy;
    const auto& request = container.request;
    if (!container.cni) // the plugin checks its parts against policy.cni_requests
        check_request(policy, request, config.source);
    Decision decision;
    decision.limits = limits_of(config, container);
    decision.with_netdevs = netdevs_go_along(policy, config.with_netdevs, request, config.source);
    decision.plan = resolve(request, snapshot);
    if (container.allocation)
        check_allocation(*container.allocation, decision.plan.to_move, snapshot.pci_addresses);
    if (policy.has_device_rules())
        check_devices(policy, names_of(decision.plan.to_move), snapshot.pci_addresses,
                      config.source);
    check_count(policy, count_after(held, decision.plan), config.source);
    if (decision.with_netdevs)
        decision.netdevs = plan_netdevs(decision.plan.to_move, snapshot.host_ports, snapshot.links,
                                        config.allow_default_route_netdev, config.source);
    return decision;
}

} // namespace rnh
