// SPDX-License-Identifier: Apache-2.0
// The CNI environment: what the runtime asks for (CNI_COMMAND) and of which
// attachment (CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS), checked as
// the specification's "Parameters" section says. CNI_PATH is not read: this
// plugin calls no other.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace rnh::cni {

enum class Command { add, del, check, status, gc, version };

struct Env {
    Command command = Command::version;
    std::string container_id;
    std::string netns; // empty: none given (allowed for DEL only)
    std::string ifname;
    std::map<std::string, std::string> args; // CNI_ARGS "K=V;K=V"
};

// `get` returns a variable's value, or nothing when it is unset.
using Getenv = std::function<std::optional<std::string>(const char* name)>;

Env parse_env(const Getenv& get);
// parse_env over this process's environment.
Env read_env();

std::string_view command_name(Command command);

// "pod NAMESPACE/NAME" from Kubernetes' CNI_ARGS, else "container ID", for messages.
std::string who(const Env& env);

} // namespace rnh::cni
