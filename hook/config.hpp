// The operator's settings (/etc/rdma-netns-hook/config.json). Absent file: defaults.
#pragma once

#include "hook/policy.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace rnh {

inline constexpr const char* default_config_path = "/etc/rdma-netns-hook/config.json";

struct Config {
    std::string state_dir = "/run/rdma-netns-hook";
    std::string sysfs_root = "/sys";
    std::chrono::milliseconds netlink_timeout{5000};
    // How long poststop waits for the kernel to return devices of a namespace
    // that is already gone.
    std::chrono::milliseconds return_timeout{10000};
    // How many devices are moved at once, each from a thread of its own.
    unsigned move_threads = 4;
    Policy policy;
    // Where these settings came from, for messages that point the operator there.
    std::string source = "the built-in defaults (no /etc/rdma-netns-hook/config.json)";
};

Config parse_config(std::string_view json, const std::string& what);
// `path` unset: the default path, which may be absent. Set: it must exist.
Config load_config(const std::optional<std::string>& path);

} // namespace rnh
