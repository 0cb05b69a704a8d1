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
    bool json = false;                        // status, audit
    std::vector<std::string> devices;         // prestart --device, added to the annotations
    std::map<std::string, std::string> verbs; // prestart --verbs-node DEV=uverbsN
    std::optional<std::string> output;        // cdi generate --output
    std::optional<std::string> target;        // audit TARGET
};

Invocation parse_command_line(const std::vector<std::string>& args);
extern const char* const usage_text;

} // namespace rnh
