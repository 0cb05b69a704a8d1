// SPDX-License-Identifier: Apache-2.0
#include "hook/config/config.hpp"

#include "base/error.hpp"
#include "base/file.hpp"
#include "base/json.hpp"
#include "oci/request.hpp"

#include <algorithm>
#include <filesystem>

namespace rnh {
namespace {

std::string absolute_path(const nlohmann::json& doc, const char* key, const std::string& what)
{
    auto path = string_member(doc, key, what);
    if (path.empty() || path.front() != '/')
        fail(what + ": \"" + key + "\" must be an absolute path, not \"" + path + "\"");
    return path;
}

// An integer setting from `min` to `max`; `unit` words the error (" of milliseconds").
long long whole_number(const nlohmann::json& doc, const char* key, const std::string& what,
                       long long min, long long max, const char* unit = "")
{
    const auto& value = doc.at(key);
    if (!value.is_number_integer() || value.get<long long>() < min || value.get<long long>() > max)
        fail(what + ": \"" + key + "\" must be a whole number" + unit + " from " +
             std::to_string(min) + " to " + std::to_string(max));
    return value.get<long long>();
}

std::chrono::milliseconds milliseconds(const nlohmann::json& doc, const char* key,
                                       const std::string& what)
{
    return std::chrono::milliseconds(whole_number(doc, key, what, 1, 600000, " of milliseconds"));
}

bool boolean(const nlohmann::json& doc, const char* key, const std::string& what)
{
    const auto& value = doc.at(key);
    if (!value.is_boolean())
        fail(what + ": \"" + key + "\" must be true or false");
    return value.get<bool>();
}

const std::vector<std::string> request_kinds = {"devices", "netdevs", "pci"};
const std::vector<std::string> cni_kinds = {"deviceID", "prevResult", "devices",
                                            "netdevs",  "pci",        "podAnnotations"};

std::vector<std::string> patterns(const nlohmann::json& policy, const char* key,
                                  const std::string& what)
{
    const auto* list = member(policy, key, what);
    if (list == nullptr)
        return {};
    if (!list->is_array())
        fail(what + ": \"policy." + key + "\" must be an array of names or globs");
    std::vector<std::string> out;
    for (const auto& item : *list) {
        if (!item.is_string() || item.get<std::string>().empty())
            fail(what + ": \"policy." + key + "\" holds something that is not a name or glob",
                 "write device names, globs such as \"mlx5_*\", or PCI addresses");
        out.push_back(item.get<std::string>());
    }
    return out;
}

// A size of locked memory: a whole number of bytes, or a string such as "64M"
// or "unlimited".
std::uint64_t memlock_size(const nlohmann::json& value, const std::string& key,
                           const std::string& what)
{
    if (value.is_number_unsigned())
        return value.get<std::uint64_t>();
    if (!value.is_string())
        fail(what + ": \"" + key + "\" must be bytes or a string such as \"64M\" or \"unlimited\"");
    return oci::parse_memlock(value.get<std::string>(), what + ": \"" + key + "\"");
}

RdmaLimits rdma_limits(const nlohmann::json& object, const std::string& what)
{
    if (!object.is_object() || object.empty())
        fail(what +
             ": \"policy.rdma_limits\" must be an object with hca_handle, hca_object or both");
    RdmaLimits limits;
    for (const auto& [key, value] : object.items()) {
        auto* field = key == "hca_handle"   ? &limits.hca_handle
                      : key == "hca_object" ? &limits.hca_object
                                            : nullptr;
        if (field == nullptr)
            fail(what + ": unknown setting \"policy.rdma_limits." + key + "\"",
                 "known: hca_handle, hca_object");
        // The kernel takes 0 to INT32_MAX - 1; INT32_MAX is its "max".
        *field = static_cast<std::uint32_t>(
            whole_number(object, key.c_str(), what + ": \"policy.rdma_limits\"", 1, INT32_MAX - 1));
    }
    return limits;
}

bool controller_switch(const nlohmann::json& doc, const std::string& what)
{
    auto choice = string_member(doc, "missing_rdma_controller", what);
    if (choice != "fail" && choice != "warn")
        fail(what + ": \"missing_rdma_controller\" is \"" + choice + "\"",
             "write \"fail\" (refuse the start) or \"warn\" (start without the limits)");
    return choice == "fail";
}

Policy parse_policy(const nlohmann::json& object, const std::string& what)
{
    if (!object.is_object())
        fail(what + ": \"policy\" must be an object");
    Policy policy;
    for (const auto& [key, value] : object.items()) {
        if (key == "allow") {
            policy.allow = patterns(object, "allow", what);
        } else if (key == "deny") {
            policy.deny = patterns(object, "deny", what);
        } else if (key == "max_devices") {
            if (!value.is_number_unsigned() || value.get<std::size_t>() == 0)
                fail(what + ": \"policy.max_devices\" must be a whole number above 0");
            policy.max_devices = value.get<std::size_t>();
        } else if (key == "max_memlock") {
            policy.max_memlock = memlock_size(value, "policy.max_memlock", what);
        } else if (key == "rdma_limits") {
            policy.rdma_limits = rdma_limits(value, what);
        } else if (key == "request_annotations") {
            policy.request_annotations.clear();
            for (const auto& kind : patterns(object, "request_annotations", what)) {
                if (std::find(request_kinds.begin(), request_kinds.end(), kind) ==
                    request_kinds.end())
                    fail(what + ": \"policy.request_annotations\" names \"" + kind + "\"",
                         "the kinds are devices, netdevs and pci");
                policy.request_annotations.insert(kind);
            }
        } else if (key == "cni_requests") {
            policy.cni_requests.clear();
            for (const auto& kind : patterns(object, "cni_requests", what)) {
                if (std::find(cni_kinds.begin(), cni_kinds.end(), kind) == cni_kinds.end())
                    fail(what + ": \"policy.cni_requests\" names \"" + kind + "\"",
                         "the parts of a network configuration are deviceID, prevResult, devices, "
                         "netdevs, pci and podAnnotations");
                policy.cni_requests.insert(kind);
            }
        } else if (key == "allow_with_netdevs") {
            policy.allow_with_netdevs = boolean(object, "allow_with_netdevs", what);
        } else {
            fail(what + ": unknown policy setting \"" + key + "\"",
                 "known: allow, deny, max_devices, request_annotations, cni_requests, "
                 "allow_with_netdevs, max_memlock, rdma_limits");
        }
    }
    return policy;
}

} // namespace

std::string check_runtime(const std::string& runtime, const std::string& source)
{
    if (runtime.empty() || (runtime.find('/') != std::string::npos && runtime.front() != '/'))
        fail(source + ": the runtime \"" + runtime + "\" is neither a name nor an absolute path",
             "name the real OCI runtime, such as runc or /usr/sbin/runc");
    return runtime;
}

std::string check_hook_path(const std::string& hook, const std::string& source)
{
    if (hook.empty() || hook.front() != '/')
        fail(source + ": the hook's path \"" + hook + "\" is not absolute",
             "name the installed rdma-netns-hook, such as /usr/bin/rdma-netns-hook");
    return hook;
}

namespace {

// Sets the setting `key` of the file's top level from `doc`; unknown keys fail.
void set_setting(Config& config, const nlohmann::json& doc, const std::string& key,
                 const std::string& what)
{
    if (key == "state_dir")
        config.state_dir = absolute_path(doc, "state_dir", what);
    else if (key == "sysfs_root")
        config.sysfs_root = absolute_path(doc, "sysfs_root", what);
    else if (key == "netlink_timeout_ms")
        config.netlink_timeout = milliseconds(doc, "netlink_timeout_ms", what);
    else if (key == "return_timeout_ms")
        config.return_timeout = milliseconds(doc, "return_timeout_ms", what);
    else if (key == "move_threads")
        config.move_threads = static_cast<unsigned>(whole_number(doc, "move_threads", what, 1, 16));
    else if (key == "with_netdevs")
        config.with_netdevs = boolean(doc, "with_netdevs", what);
    else if (key == "allow_default_route_netdev")
        config.allow_default_route_netdev = boolean(doc, "allow_default_route_netdev", what);
    else if (key == "policy")
        config.policy = parse_policy(doc.at(key), what);
    else if (key == "memlock")
        config.memlock = memlock_size(doc.at(key), "memlock", what);
    else if (key == "missing_rdma_controller")
        config.rdma_controller_required = controller_switch(doc, what);
    else if (key == "runtime")
        config.runtime = check_runtime(string_member(doc, "runtime", what), what + ": \"runtime\"");
    else if (key == "hook_path")
        config.hook_path =
            check_hook_path(string_member(doc, "hook_path", what), what + ": \"hook_path\"");
    else
        fail(what + ": unknown setting \"" + key + "\"",
             "known settings: state_dir, sysfs_root, netlink_timeout_ms, return_timeout_ms, "
             "move_threads, with_netdevs, allow_default_route_netdev, policy, memlock, "
             "missing_rdma_controller, and "
             "rdma-netns-runtime's runtime and hook_path");
}

// What returning devices reads (and the wrapper, to find the runtime).
const std::vector<std::string> release_settings = {
    "state_dir",    "sysfs_root", "netlink_timeout_ms", "return_timeout_ms",
    "move_threads", "runtime",    "hook_path"};

// Each setting that returning devices needs, taken from `doc` where it still
// reads as valid; every other one keeps its default.
Config readable_release_settings(const nlohmann::json& doc, const std::string& what)
{
    Config config;
    for (const auto& key : release_settings) {
        if (!doc.contains(key))
            continue;
        try {
            set_setting(config, doc, key, what);
        } catch (const Error&) {
            // an invalid value: the default stays
        }
    }
    config.source = what;
    return config;
}

ReleaseConfig with_warning(Config config, const Error& broken)
{
    auto warning = std::string(broken.what()) +
                   " (starts are refused until it is fixed; this command goes on with what of it "
                   "reads as valid: state directory " +
                   config.state_dir + ")";
    return {std::move(config), std::move(warning)};
}

// The file's text; nothing when `path` is unset and the default file is absent.
std::optional<std::string> read_settings_file(const std::optional<std::string>& path)
{
    const std::string file = path.value_or(default_config_path);
    std::filesystem::path p(file);
    std::error_code ec;
    if (!path && !std::filesystem::exists(std::filesystem::symlink_status(p, ec)))
        return std::nullopt;
    auto fd = open_regular_nofollow(p.parent_path().empty() ? "." : p.parent_path().string(),
                                    p.filename().string());
    return read_limited(fd.get(), 1 << 20, file);
}

} // namespace

Config parse_config(std::string_view json, const std::string& what)
{
    auto doc = parse_json(json, what);
    if (!doc.is_object())
        fail(what + " must be a JSON object");
    Config config;
    for (const auto& item : doc.items())
        set_setting(config, doc, item.key(), what);
    if (config.memlock && config.policy.max_memlock && *config.memlock > *config.policy.max_memlock)
        fail(what + ": \"memlock\" (" + oci::memlock_text(*config.memlock) +
                 ") is above \"policy.max_memlock\" (" +
                 oci::memlock_text(*config.policy.max_memlock) + ")",
             "lower memlock or raise policy.max_memlock");
    config.source = what;
    return config;
}

ReleaseConfig parse_config_for_release(std::string_view json, const std::string& what)
{
    try {
        return {parse_config(json, what), std::nullopt};
    } catch (const Error& broken) {
        Config config;
        try {
            if (auto doc = parse_json(json, what); doc.is_object())
                config = readable_release_settings(doc, what);
        } catch (const Error&) {
            // not JSON at all: every default
        }
        return with_warning(std::move(config), broken);
    }
}

Config load_config(const std::optional<std::string>& path)
{
    auto text = read_settings_file(path);
    return text ? parse_config(*text, path.value_or(default_config_path)) : Config{};
}

ReleaseConfig load_config_for_release(const std::optional<std::string>& path)
{
    std::optional<std::string> text;
    try {
        text = read_settings_file(path);
    } catch (const Error& unreadable) {
        return with_warning(Config{}, unreadable);
    }
    return text ? parse_config_for_release(*text, path.value_or(default_config_path))
                : ReleaseConfig{};
}

} // namespace rnh
