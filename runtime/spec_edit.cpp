// SPDX-License-Identifier: Apache-2.0
#include "runtime/spec_edit.hpp"

#include "base/error.hpp"
#include "base/json.hpp"
#include "oci/hook_entry.hpp"
#include "oci/request.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <filesystem>
#include <map>

namespace rnh::runtime {
namespace {

using Json = nlohmann::ordered_json;

using ParseList = std::vector<std::string> (*)(std::string_view, const std::string&);

struct Variable {
    std::string_view name;
    std::string_view annotation;
    ParseList parse;
    bool asks_devices = true;
};

std::vector<std::string> parse_memlock_value(std::string_view value, const std::string& source)
{
    return {oci::memlock_text(oci::parse_memlock(value, source))};
}

const std::array<Variable, 4> variables{{
    {env_devices, oci::annotation_devices, oci::parse_device_list},
    {env_netdevs, oci::annotation_netdevs, oci::parse_netdev_list},
    {env_pci, oci::annotation_pci, oci::parse_pci_list},
    {env_memlock, oci::annotation_memlock, parse_memlock_value, false},
}};

// The members of an object that may be absent or null; anything else is an error.
Json* object_member(Json& parent, const char* key, const std::string& what, bool create)
{
    auto it = parent.find(key);
    if (it == parent.end() || it->is_null()) {
        if (!create)
            return nullptr;
        parent[key] = Json::object();
        return &parent[key];
    }
    if (!it->is_object())
        fail(what + ": \"" + key + "\" must be a JSON object, not " + it->type_name());
    return &*it;
}

Json& array_member(Json& parent, const char* key, const std::string& what)
{
    auto it = parent.find(key);
    if (it == parent.end() || it->is_null()) {
        parent[key] = Json::array();
        return parent[key];
    }
    if (!it->is_array())
        fail(what + ": \"hooks." + key + "\" must be an array, not " + it->type_name());
    return *it;
}

// The value of each request variable in process.env, first occurrence.
std::map<std::string_view, std::string> request_variables(Json& spec, const std::string& what)
{
    std::map<std::string_view, std::string> found;
    Json* process = object_member(spec, "process", what, false);
    if (process == nullptr)
        return found;
    auto env = process->find("env");
    if (env == process->end() || env->is_null())
        return found;
    if (!env->is_array())
        fail(what + ": \"process.env\" must be an array, not " + env->type_name());
    for (const auto& entry : *env) {
        if (!entry.is_string())
            fail(what + ": \"process.env\" must hold strings, not " +
                 std::string(entry.type_name()));
        const auto& text = entry.get_ref<const std::string&>();
        auto eq = text.find('=');
        if (eq == std::string::npos)
            continue;
        for (const auto& v : variables)
            if (std::string_view(text).substr(0, eq) == v.name && !found.contains(v.name))
                found.emplace(v.name, text.substr(eq + 1));
        if (std::string_view(text).substr(0, eq) == env_with_netdevs &&
            !found.contains(env_with_netdevs))
            found.emplace(env_with_netdevs, text.substr(eq + 1));
    }
    return found;
}

std::string join(const std::vector<std::string>& items)
{
    std::string out;
    for (const auto& item : items)
        out += (out.empty() ? "" : ",") + item;
    return out;
}

// An entry runs the hook: its path is hook_path or a file named rdma-netns-hook.
bool runs_hook(const Json& entry, const std::string& hook_path)
{
    if (!entry.is_object())
        return false;
    auto path = entry.find("path");
    if (path == entry.end() || !path->is_string())
        return false;
    const auto& p = path->get_ref<const std::string&>();
    return p == hook_path || std::filesystem::path(p).filename() == "rdma-netns-hook";
}

bool has_hook(Json& hooks, const char* stage, const std::string& hook_path, const std::string& what)
{
    auto it = hooks.find(stage);
    if (it == hooks.end() || it->is_null())
        return false;
    if (!it->is_array())
        fail(what + ": \"hooks." + stage + "\" must be an array, not " + it->type_name());
    for (const auto& entry : *it)
        if (runs_hook(entry, hook_path))
            return true;
    return false;
}

} // namespace

std::optional<std::string> add_hooks_to_spec(std::string_view text, const std::string& what,
                                             const std::string& hook_path)
{
    if (hook_path.empty() || hook_path.front() != '/')
        fail("the hook's path \"" + hook_path + "\" is not absolute",
             "set RDMA_NETNS_HOOK to the installed rdma-netns-hook, such as "
             "/usr/bin/rdma-netns-hook");
    // The project's limits (nesting depth, valid JSON, errors naming the file)
    // first; then again keeping the members' order.
    (void)parse_json(text, what);
    Json spec = Json::parse(text);
    if (!spec.is_object())
        fail(what + " must be a JSON object");

    auto vars = request_variables(spec, what);
    Json* annotations = object_member(spec, "annotations", what, false);
    auto annotated = [&](std::string_view key) {
        return annotations != nullptr && annotations->contains(std::string(key));
    };
    bool request = false;
    bool changed = false;
    for (const auto& v : variables) {
        if (annotated(v.annotation)) {
            request = request || v.asks_devices;
            continue;
        }
        auto value = vars.find(v.name);
        if (value == vars.end())
            continue;
        auto items = v.parse(value->second, "environment variable " + std::string(v.name));
        if (annotations == nullptr)
            annotations = object_member(spec, "annotations", what, true);
        (*annotations)[std::string(v.annotation)] = join(items);
        changed = true;
        request = request || v.asks_devices;
    }
    if (!request)
        return std::nullopt;
    if (auto with = vars.find(env_with_netdevs);
        with != vars.end() && !annotated(oci::annotation_with_netdevs)) {
        const std::string value = with->second == "1"   ? "true"
                                  : with->second == "0" ? "false"
                                                        : with->second;
        (*annotations)[std::string(oci::annotation_with_netdevs)] = std::string(
            oci::parse_with_netdevs(value, "environment variable " + std::string(env_with_netdevs))
                ? "true"
                : "false");
        changed = true;
    }

    Json& hooks = *object_member(spec, "hooks", what, true);
    if (!has_hook(hooks, "prestart", hook_path, what) &&
        !has_hook(hooks, "createRuntime", hook_path, what)) {
        array_member(hooks, "prestart", what).push_back(oci::hook_entry(hook_path, "prestart"));
        changed = true;
    }
    if (!has_hook(hooks, "poststop", hook_path, what)) {
        array_member(hooks, "poststop", what).push_back(oci::hook_entry(hook_path, "poststop"));
        changed = true;
    }
    if (!changed)
        return std::nullopt;
    return spec.dump();
}

} // namespace rnh::runtime
