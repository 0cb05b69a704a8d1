// The operator's policy: which devices containers may be given, which never,
// how many at most, and which kinds of request are honoured. Pure checks: a
// refusal names the rule, and comes before anything moves.
#pragma once

#include "oci/request.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace rnh {

struct Policy {
    // Globs over device names or PCI addresses; unset means every device.
    std::optional<std::vector<std::string>> allow;
    std::vector<std::string> deny;
    std::optional<std::size_t> max_devices;
    // Of "devices", "netdevs", "pci": the rdma.netns/* annotations honoured.
    std::set<std::string> request_annotations = {"devices", "netdevs", "pci"};

    // Whether any allow or deny rule is set: otherwise every device passes.
    bool has_device_rules() const { return allow || !deny.empty(); }
};

Policy parse_policy(const nlohmann::json& object, const std::string& what);

// Refuses a request that uses a kind of annotation the policy does not honour.
void check_request(const Policy& policy, const oci::Request& request, const std::string& source);

// Refuses a device to be moved that a rule denies or no rule allows;
// `pci_addresses` maps device names to their PCI address where they have one.
void check_devices(const Policy& policy, const std::vector<std::string>& devices,
                   const std::map<std::string, std::string>& pci_addresses,
                   const std::string& source);

// Refuses a container that would hold more devices than the policy allows.
void check_count(const Policy& policy, std::size_t devices, const std::string& source);

} // namespace rnh
