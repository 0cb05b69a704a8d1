// SPDX-License-Identifier: Apache-2.0
// Checks against the operator's policy (Policy, in hook/config/config.hpp):
// pure, a refusal names the rule, and comes before anything moves.
#pragma once

#include "hook/config/config.hpp"
#include "oci/request.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace rnh {

// Refuses a request that uses a kind of annotation the policy does not honour.
void check_request(const Policy& policy, const oci::Request& request, const std::string& source);

// Refuses a CNI network configuration that uses a part (of "deviceID",
// "prevResult", "devices", "netdevs", "pci", "podAnnotations") that
// policy.cni_requests does not honour, naming the part and the setting that
// would honour it.
void check_cni_request(const Policy& policy, const std::vector<std::string>& parts,
                       const std::string& source);

// Refuses a device to be moved that a rule denies or no rule allows;
// `pci_addresses` maps device names to their PCI address where they have one.
void check_devices(const Policy& policy, const std::vector<std::string>& devices,
                   const std::map<std::string, std::string>& pci_addresses,
                   const std::string& source);

// Whether the devices' netdevs go along: the request's say, else the config
// file's `with_netdevs`. Refuses a request for them that the policy forbids;
// a default the policy forbids is false.
bool netdevs_go_along(const Policy& policy, bool config_default, const oci::Request& request,
                      const std::string& source);

// Refuses a container that would hold more devices than the policy allows.
void check_count(const Policy& policy, std::size_t devices, const std::string& source);

} // namespace rnh
