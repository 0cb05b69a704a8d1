// SPDX-License-Identifier: Apache-2.0
// The command line of rdma-netns-hook.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rnh {

enum class Command {
    help,
    version,
    prestart,
    poststop,
    recover,
    status,
    cdi_generate,
    setup,
    audit
};

struct Invocation {
    Command command = Command::help;
    std::optional<std::string> config_path;
    bool json = false;                              // status, audit
    std::vector<std::string> devices;               // prestart --device, added to the annotations
    std::map<std::string, std::string> verbs_nodes; // prestart --verbs-node DEV=uverbsN
    bool with_netdevs = false;                      // prestart, cdi generate --with-netdevs
    std::optional<std::string> output;              // cdi generate --output
    bool cdi_mad_nodes = true;                      // cdi generate: not --no-mad-nodes
    std::optional<std::string> target;              // audit TARGET
    // Options of prestart, createRuntime or poststop that this version does
    // not know, with their values: skipped, for main() to warn about. A hook
    // entry (a CDI spec written by `cdi generate`) may come from a newer
    // version, and must not fail every container start under an older one.
    std::vector<std::string> ignored;
};

Invocation parse_command_line(const std::vector<std::string>& args);
extern const char* const usage_text;

} // namespace rnh
