// SPDX-License-Identifier: Apache-2.0
// Every rule a start obeys, applied in one place before anything moves: the
// kinds of request the policy honours, the devices it allows, how many a
// container may hold, whether netdevs go along and which, and the limits the
// container gets. Pure: a refusal names the rule and the setting to change.
#pragma once

#include "hook/config/config.hpp"
#include "hook/plan/container.hpp"
#include "hook/plan/limits.hpp"
#include "hook/plan/netdevs.hpp"
#include "hook/plan/resolve.hpp"
#include "hook/plan/snapshot.hpp"
#include "netlink/rdma.hpp"

#include <vector>

namespace rnh {

struct Decision {
    Plan plan;                   // the devices: to move, and in the target already
    bool with_netdevs = false;   // whether their netdevs go along
    std::vector<Netdev> netdevs; // to go in with plan.to_move
    Limits limits;               // to set once the devices are in
};

// Whether the container asks for its devices' netdevs, or the settings do
// for it: then the start takes the links into its Snapshot.
bool netdevs_wanted(const Config& config, const oci::Request& request);

// Whether the start needs the PCI functions of the host's devices
// (Snapshot::pci_addresses): for allow and deny rules, and an allocation.
bool pci_addresses_wanted(const Config& config, const Container& container);

// The start of `container` on what `snapshot` shows, or an error naming the
// rule that refuses it. `held`: the devices it holds already, counted
// against policy.max_devices: from an earlier start (a CDI container runs one
// hook entry per device), and for a CNI attachment those of its pod's other
// attachments.
Decision decide(const Config& config, const Container& container, const Snapshot& snapshot,
                const std::vector<nl::Device>& held);

} // namespace rnh
