// SPDX-License-Identifier: Apache-2.0
#include "cni/env.hpp"

#include "base/error.hpp"
#include "base/escape.hpp"
#include "hook/plan/cni_attachment.hpp"

#include <array>
#include <cstdlib>
#include <utility>

namespace rnh::cni {
namespace {

constexpr std::array<std::pair<std::string_view, Command>, 6> commands{{
    {"ADD", Command::add},
    {"DEL", Command::del},
    {"CHECK", Command::check},
    {"STATUS", Command::status},
    {"GC", Command::gc},
    {"VERSION", Command::version},
}};

// No CNI_* value this plugin reads is near this long.
constexpr std::size_t max_value_bytes = 4096;

// A variable's value, refused (CNI error code 4) when it is too long or not
// printable UTF-8, before anything quotes it or JSON carries it.
Getenv checked(const Getenv& get)
{
    return [&get](const char* name) -> std::optional<std::string> {
        auto value = get(name);
        if (value && value->size() > max_value_bytes)
            fail(std::string(name) + " is " + std::to_string(value->size()) +
                     " bytes long, over the limit of " + std::to_string(max_value_bytes),
                 "check what sets it");
        if (value && !printable_utf8(*value))
            fail(std::string(name) + " \"" + escaped(*value) +
                     "\" has control characters or is not valid UTF-8",
                 "check what sets it");
        return value;
    };
}

std::string required(const Getenv& get, const char* name, Command command)
{
    auto value = get(name);
    if (!value || value->empty())
        fail(std::string(name) + " is not set",
             "a runtime sets it for " + std::string(command_name(command)) +
                 "; when calling the plugin by hand, set it as the CNI specification says");
    return *value;
}

std::map<std::string, std::string> parse_args(std::string_view text)
{
    std::map<std::string, std::string> args;
    while (!text.empty()) {
        const auto end = text.find(';');
        const auto item = text.substr(0, end);
        const auto eq = item.find('=');
        if (eq == 0 || eq == std::string_view::npos)
            fail("CNI_ARGS item \"" + escaped(item) + "\" is not KEY=VALUE",
                 "CNI_ARGS is KEY=VALUE pairs separated by ';'");
        args[std::string(item.substr(0, eq))] = std::string(item.substr(eq + 1));
        if (end == std::string_view::npos)
            break;
        text.remove_prefix(end + 1);
    }
    return args;
}

} // namespace

std::string_view command_name(Command command)
{
    for (const auto& [name, value] : commands)
        if (value == command)
            return name;
    return "?";
}

Env parse_env(const Getenv& unchecked)
{
    const auto get = checked(unchecked);
    Env env;
    const auto command = get("CNI_COMMAND").value_or("");
    bool known = false;
    for (const auto& [name, value] : commands)
        if (command == name) {
            env.command = value;
            known = true;
        }
    if (!known)
        fail(command.empty() ? "CNI_COMMAND is not set"
                             : "CNI_COMMAND \"" + escaped(command) + "\" is not a CNI command",
             "rdma-netns is a CNI plugin: a runtime calls it with CNI_COMMAND set to ADD, DEL, "
             "CHECK, STATUS, GC or VERSION and the network configuration on stdin");
    if (env.command != Command::add && env.command != Command::del && env.command != Command::check)
        return env;
    env.container_id = required(get, "CNI_CONTAINERID", env.command);
    check_cni_container_id(env.container_id);
    env.ifname = required(get, "CNI_IFNAME", env.command);
    check_cni_ifname(env.ifname);
    env.netns = env.command == Command::del ? get("CNI_NETNS").value_or("")
                                            : required(get, "CNI_NETNS", env.command);
    if (!env.netns.empty() && env.netns.front() != '/')
        fail("CNI_NETNS \"" + escaped(env.netns) + "\" is not an absolute path",
             "give the path of the network namespace, e.g. /run/netns/NAME");
    env.args = parse_args(get("CNI_ARGS").value_or(""));
    return env;
}

Env read_env()
{
    return parse_env([](const char* name) -> std::optional<std::string> {
        const char* value = std::getenv(name);
        if (value == nullptr)
            return std::nullopt;
        return std::string(value);
    });
}

std::string who(const Env& env)
{
    auto ns = env.args.find("K8S_POD_NAMESPACE");
    auto name = env.args.find("K8S_POD_NAME");
    if (ns != env.args.end() && name != env.args.end())
        return "pod " + ns->second + "/" + name->second;
    return "container " + env.container_id;
}

} // namespace rnh::cni
