// The command line of rdma-netns-hook.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace rnh {

enum class Command { help, version, prestart, poststop, recover, status };

struct Invocation {
    Command command = Command::help;
    std::optional<std::string> config_path;
    bool json = false;
};

Invocation parse_command_line(const std::vector<std::string>& args);
extern const char* const usage_text;

} // namespace rnh
