// SPDX-License-Identifier: Apache-2.0
// parse_config: the operator's settings file, and the policy in it applied
// to a fixed request and set of devices, as prestart applies it; and
// parse_config_for_release, which must take any text.
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
    // Releasing takes any text, and says so exactly when starting would refuse it.
    ReleaseConfig release;
    fuzz::must_accept(
        [&] { release = parse_config_for_release(fuzz::as_text(data, size), "config"); },
        "parse_config_for_release");
    fuzz::require(release.warning.has_value() != config.has_value(),
                  "a warning exactly when parse_config refuses");
    fuzz::require(release.config.state_dir.starts_with('/') &&
                      release.config.sysfs_root.starts_with('/') &&
                      release.config.move_threads >= 1 && release.config.move_threads <= 16,
                  "release settings are valid");
    if (!config)
        return 0;
    fuzz::require(release.config.state_dir == config->state_dir,
                  "a valid file gives release its state_dir");
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
