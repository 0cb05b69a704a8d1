// SPDX-License-Identifier: Apache-2.0
// The CNI plugin's inputs: the CNI_* environment (parse_env) and the network
// configuration (check_version, parse_netconf, sandbox_interface), and the
// error object every refusal becomes.
//
// Input: lines "CNI_NAME=value" (the environment), an empty line, then the
// network configuration, as the plugin reads it from stdin.
#include "fuzz.hpp"

#include "base/escape.hpp"
#include "base/json.hpp"
#include "cni/env.hpp"
#include "cni/netconf.hpp"
#include "cni/result.hpp"
#include "hook/plan/cni_attachment.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

using namespace rnh;

namespace {

// The error object a refusal becomes is one line of valid JSON (a message
// quoting a non-UTF-8 value made nlohmann::json throw: exit 134).
void check_error_object(const Error& error)
{
    std::string text;
    try {
        text = cni::error_result("1.1.0", cni::Code::invalid_env, error);
    } catch (...) {
        fuzz::require(false, "error_result of a refusal does not throw");
    }
    fuzz::require(!text.empty() && text.back() == '\n' && text.find('\n') == text.size() - 1,
                  "the error object is one line");
    fuzz::require(nlohmann::json::accept(text), "the error object is JSON");
}

template <typename F> auto accepted_or_reported(F&& f) -> std::optional<decltype(f())>
{
    try {
        return f();
    } catch (const Error& e) {
        check_error_object(e);
        return std::nullopt;
    }
}

void check_list(const std::vector<std::string>& items)
{
    fuzz::require(items.size() <= oci::max_list_items, "a list has at most max_list_items items");
    fuzz::require(std::set<std::string>(items.begin(), items.end()).size() == items.size(),
                  "list items are distinct");
    for (const auto& item : items)
        fuzz::require(!item.empty() && item.size() <= 64 && printable_utf8(item),
                      "list items are 1 to 64 bytes of printable text");
}

void check_env(const std::map<std::string, std::string>& vars)
{
    const auto env = accepted_or_reported([&] {
        return cni::parse_env([&](const char* name) -> std::optional<std::string> {
            auto it = vars.find(name);
            if (it == vars.end())
                return std::nullopt;
            return it->second;
        });
    });
    if (!env)
        return;
    for (const auto& [key, value] : env->args)
        fuzz::require(printable_utf8(key) && printable_utf8(value), "CNI_ARGS are printable");
    if (env->command != cni::Command::add && env->command != cni::Command::del &&
        env->command != cni::Command::check)
        return;
    fuzz::must_accept([&] { attachment_key(env->container_id, env->ifname); }, "attachment_key");
    fuzz::require(env->netns.empty() || env->netns.front() == '/', "CNI_NETNS is absolute");
    fuzz::require(env->netns.size() <= 4096 && printable_utf8(env->netns),
                  "CNI_NETNS is bounded and printable");
}

void check_conf(std::string_view text)
{
    const auto doc = accepted_or_reported([&] { return parse_json(text, "the configuration"); });
    if (!doc)
        return;
    const auto conf = accepted_or_reported([&] { return cni::parse_netconf(*doc); });
    if (!conf)
        return;
    fuzz::require(!conf->name.empty() && conf->name.size() <= 253 && printable_utf8(conf->name),
                  "the network name is 1 to 253 bytes of printable text");
    check_list(conf->request.devices);
    check_list(conf->request.netdevs);
    check_list(conf->request.pci);
    for (const auto& address : conf->request.pci)
        fuzz::require(oci::normal_pci_address(address) == address, "PCI addresses are normal");
    if (conf->aux_device)
        fuzz::require(!conf->aux_device->empty() && conf->aux_device->size() <= 64 &&
                          conf->request.empty(),
                      "an auxiliary device is bounded and alone");
    fuzz::require(!conf->by_pod_annotations ||
                      (conf->takes_pod_annotations && conf->parts.back() == "podAnnotations"),
                  "a request of the pod's annotations is the part podAnnotations");
    if (conf->prev_result)
        if (auto iface =
                accepted_or_reported([&] { return cni::sandbox_interface(*conf->prev_result); }))
            fuzz::require(!iface->name.empty() && iface->name.size() < 16 &&
                              printable_utf8(iface->name),
                          "the sandbox interface has an interface name");
    fuzz::require(nlohmann::json::accept(cni::add_result(*conf)), "ADD's result is JSON");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view rest = fuzz::as_text(data, size);
    std::map<std::string, std::string> vars;
    while (!rest.empty()) {
        const auto end = std::min(rest.find('\n'), rest.size());
        const auto line = rest.substr(0, end);
        rest.remove_prefix(std::min(end + 1, rest.size()));
        if (line.empty())
            break;
        const auto eq = std::min(line.find('='), line.size());
        vars[std::string(line.substr(0, eq))] =
            std::string(line.substr(std::min(eq + 1, line.size())));
    }
    check_env(vars);
    check_conf(rest);
    return 0;
}
