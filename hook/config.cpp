#include "hook/config.hpp"

#include "base/error.hpp"
#include "base/file.hpp"
#include "base/json.hpp"

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

} // namespace

Config parse_config(std::string_view json, const std::string& what)
{
    auto doc = parse_json(json, what);
    if (!doc.is_object())
        fail(what + " must be a JSON object");
    Config config;
    for (const auto& [key, value] : doc.items()) {
        if (key == "state_dir")
            config.state_dir = absolute_path(doc, "state_dir", what);
        else if (key == "sysfs_root")
            config.sysfs_root = absolute_path(doc, "sysfs_root", what);
        else if (key == "netlink_timeout_ms")
            config.netlink_timeout = milliseconds(doc, "netlink_timeout_ms", what);
        else if (key == "return_timeout_ms")
            config.return_timeout = milliseconds(doc, "return_timeout_ms", what);
        else if (key == "move_threads")
            config.move_threads =
                static_cast<unsigned>(whole_number(doc, "move_threads", what, 1, 16));
        else if (key == "policy")
            config.policy = parse_policy(value, what);
        else if (key == "runtime" || key == "hook_path")
            continue; // rdma-netns-runtime's settings, checked by it
        else
            fail(what + ": unknown setting \"" + key + "\"",
                 "known settings: state_dir, sysfs_root, netlink_timeout_ms, return_timeout_ms, "
                 "move_threads, policy, and rdma-netns-runtime's runtime and hook_path");
    }
    config.source = what;
    return config;
}

Config load_config(const std::optional<std::string>& path)
{
    const std::string file = path.value_or(default_config_path);
    std::filesystem::path p(file);
    if (!path && !std::filesystem::exists(std::filesystem::symlink_status(p)))
        return Config{};
    auto fd = open_regular_nofollow(p.parent_path().empty() ? "." : p.parent_path().string(),
                                    p.filename().string());
    return parse_config(read_limited(fd.get(), 1 << 20, file), file);
}

} // namespace rnh
