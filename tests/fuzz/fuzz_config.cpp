// SPDX-License-Identifier: Apache-2.0
// parse_config: the operator's settings file, and the policy in it applied
// to a fixed request and set of devices, as prestart applies it.
#include "fuzz.hpp"

#include "hook/config/config.hpp"
#include "hook/plan/policy.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace rnh;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto config =
        fuzz::accepted([&] { return parse_config(fuzz::as_text(data, size), "config"); });
    if (!config)
        return 0;
    fuzz::require(config->state_dir.starts_with('/') && config->sysfs_root.starts_with('/'),
                  "configured paths are absolute");
    using std::chrono::milliseconds;
    for (auto timeout : {config->netlink_timeout, config->return_timeout})
        fuzz::require(timeout >= milliseconds(1) && timeout <= milliseconds(600000),
                      "timeouts are 1 to 600000 ms");

    const Policy& policy = config->policy;
    fuzz::require(!policy.max_devices || *policy.max_devices > 0, "max_devices is above 0");
    for (const auto& kind : policy.request_annotations)
        fuzz::require(kind == "devices" || kind == "netdevs" || kind == "pci",
                      "request_annotations holds only devices, netdevs and pci");

    oci::Request request;
    request.devices = {"mlx5_0", "rxe0"};
    request.netdevs = {"eth1"};
    request.pci = {"0000:3b:00.0"};
    const std::vector<std::string> devices{"mlx5_0", "mlx5_1", "rxe0", "siw_eth1"};
    const std::map<std::string, std::string> pci{{"mlx5_0", "0000:3b:00.0"},
                                                 {"mlx5_1", "0000:3b:00.1"}};
    try {
        check_request(policy, request, "config");
    } catch (const Error&) {
    }
    try {
        check_devices(policy, devices, pci, "config");
    } catch (const Error&) {
    }
    try {
        check_count(policy, devices.size(), "config");
    } catch (const Error&) {
    }
    return 0;
}
