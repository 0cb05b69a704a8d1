// SPDX-License-Identifier: Apache-2.0
// The operator's settings (/etc/rdma-netns-hook/config.json), every key of
// the file for both programs: the hook's and rdma-netns-runtime's. Absent
// file: defaults.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace rnh {

inline constexpr const char* default_config_path = "/etc/rdma-netns-hook/config.json";

// rdma.max limits of the RDMA cgroup controller for each device a container is
// given; unset means "max", the kernel's default.
struct RdmaLimits {
    std::optional<std::uint32_t> hca_handle;
    std::optional<std::uint32_t> hca_object;
    bool operator==(const RdmaLimits&) const = default;
};

// The operator's policy: which devices containers may be given, which never,
// how many at most, and which kinds of request are honoured
// (hook/plan/policy.hpp checks requests against it).
struct Policy {
    // Globs over device names or PCI addresses; unset means every device.
    std::optional<std::vector<std::string>> allow;
    std::vector<std::string> deny;
    std::optional<std::size_t> max_devices;
    // Of "devices", "netdevs", "pci": the rdma.netns/* annotations honoured.
    std::set<std::string> request_annotations = {"devices", "netdevs", "pci"};
    // Of "deviceID", "prevResult", "devices", "netdevs", "pci", "podAnnotations":
    // the parts of a CNI network configuration honoured. A configuration is a
    // tenant's input (a NetworkAttachmentDefinition), and so are a pod's
    // annotations: the lists and the annotations are off by default.
    std::set<std::string> cni_requests = {"deviceID", "prevResult"};
    // The most locked memory (bytes) a container may ask for in the annotation
    // rdma.netns/memlock; unset: the annotation is refused.
    std::optional<std::uint64_t> max_memlock;
    // Set in the rdma cgroup of every container given devices, for those devices.
    std::optional<RdmaLimits> rdma_limits;
    // Whether a container may take its devices' netdevs along (with-netdevs).
    bool allow_with_netdevs = true;

    // Whether any allow or deny rule is set: otherwise every device passes.
    bool has_device_rules() const { return allow || !deny.empty(); }
};

struct Config {
    std::string state_dir = "/run/rdma-netns-hook";
    std::string sysfs_root = "/sys";
    std::chrono::milliseconds netlink_timeout{5000};
    // How long poststop waits for the kernel to return devices of a namespace
    // that is already gone.
    std::chrono::milliseconds return_timeout{10000};
    // How many devices are moved at once, each from a thread of its own.
    unsigned move_threads = 4;
    // Whether RDMA devices take the netdevs bound to their ports along, when
    // a container does not say (rdma.netns/with-netdevs).
    bool with_netdevs = false;
    // Whether a netdev carrying one of the host's default routes may go.
    bool allow_default_route_netdev = false;
    Policy policy;
    // RLIMIT_MEMLOCK (bytes, or oci::memlock_unlimited) for every container given
    // devices; unset: left as the runtime set it.
    std::optional<std::uint64_t> memlock;
    // When policy.rdma_limits cannot be set because the rdma controller is not
    // enabled for the container's cgroup: fail the start (true) or log a warning.
    bool rdma_controller_required = true;
    // rdma-netns-runtime's: the OCI runtime it hands over to, and the hook it
    // adds to bundles.
    std::optional<std::string> runtime;
    std::optional<std::string> hook_path;
    // Where these settings came from, for messages that point the operator there.
    std::string source = "the built-in defaults (no /etc/rdma-netns-hook/config.json)";
};

Config parse_config(std::string_view json, const std::string& what);
// `path` unset: the default path, which may be absent. Set: it must exist.
Config load_config(const std::optional<std::string>& path);

// The settings of a command that returns devices (poststop, recover, CNI DEL
// and GC, the wrapper's commands but create and run): a broken file must not
// keep devices out of the host. A file that is unreadable, not JSON or not
// valid gives the defaults, except for state_dir, sysfs_root,
// netlink_timeout_ms, return_timeout_ms, move_threads, runtime and hook_path
// where each still reads as valid; `warning` then says what is broken and
// which state directory is used, for the caller to report once.
struct ReleaseConfig {
    Config config;
    std::optional<std::string> warning;
};
ReleaseConfig parse_config_for_release(std::string_view json, const std::string& what);
ReleaseConfig load_config_for_release(const std::optional<std::string>& path);

// A runtime is a bare name (looked up on PATH) or an absolute path; `source`
// names where the value came from.
std::string check_runtime(const std::string& runtime, const std::string& source);
// The hook's path must be absolute.
std::string check_hook_path(const std::string& hook, const std::string& source);

} // namespace rnh
