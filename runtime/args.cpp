// SPDX-License-Identifier: Apache-2.0
#include "runtime/args.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace rnh::runtime {

const char* const usage_text =
    R"(usage: rdma-netns-runtime [RUNC-OPTIONS] COMMAND [ARGS...]

An OCI runtime in front of runc, for Docker and containerd without CDI. On
create and run it adds rdma-netns-hook to the bundle's config.json when the
container asks for RDMA devices in its environment; then, for every command, it
executes the real runtime with the same arguments.

Commands that it edits the bundle for (all others are passed on untouched):
  create, run   the bundle is --bundle DIR, -b DIR or else the working directory

Requests (the container's environment, comma-separated lists), each added as
the annotation the hook reads:
  RDMA_NETNS_DEVICES=mlx5_1,mlx5_3   rdma.netns/devices: RDMA devices by name
  RDMA_NETNS_NETDEVS=eth1            rdma.netns/netdevs: the devices on eth1
  RDMA_NETNS_PCI=0000:3b:00.1        rdma.netns/pci: that function's devices
  RDMA_NETNS_MEMLOCK=64M             rdma.netns/memlock: locked memory, with devices
  RDMA_NETNS_WITH_NETDEVS=1          rdma.netns/with-netdevs: their netdevs too

Settings (the environment first, then /etc/rdma-netns-hook/config.json):
  RDMA_NETNS_RUNTIME, key runtime    the runtime to run (default runc, on PATH)
  RDMA_NETNS_HOOK, key hook_path     the hook to add (default: as installed)

Options of runc that it reads (and passes on):
  --bundle DIR         create, run: the bundle
  --log FILE           a refusal is also written there
  --log-format FORMAT  text or json, for that line
  --help               this text, then the runtime's help
  --version            the version and commit, then the runtime's
)";

namespace {

// runc (urfave/cli over Go's flag package) takes "-name" and "--name", a value
// as the next argument or after '='. Options that are not listed here are
// taken as switches; runc itself rejects the ones it does not know.
constexpr std::array global_with_value{"log", "log-format", "root", "criu", "rootless"};
constexpr std::array command_with_value{"bundle",       "b",           "console-socket", "pid-file",
                                        "preserve-fds", "pidfd-socket"};

struct Option {
    std::string_view name;                 // without dashes
    std::optional<std::string_view> value; // after '='
};

// An argument that is an option: "-x", "--x", "--x=v". Not "-" or "--".
std::optional<Option> as_option(std::string_view arg)
{
    if (arg.size() < 2 || arg.front() != '-' || arg == "--")
        return std::nullopt;
    arg.remove_prefix(arg.starts_with("--") ? 2 : 1);
    Option option{arg, std::nullopt};
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
        option.name = arg.substr(0, eq);
        option.value = arg.substr(eq + 1);
    }
    return option;
}

template <std::size_t N>
bool takes_value(const std::array<const char*, N>& names, std::string_view name)
{
    return std::find(names.begin(), names.end(), name) != names.end();
}

// The option's value: after '=', or the next argument (args[i + 1], which i
// then moves past) for an option that takes one.
template <std::size_t N>
std::optional<std::string> value_of(const Option& option, const std::array<const char*, N>& names,
                                    const std::vector<std::string>& args, std::size_t& i)
{
    if (option.value)
        return std::string(*option.value);
    if (takes_value(names, option.name) && i + 1 < args.size())
        return args[++i];
    return std::nullopt;
}

} // namespace

RuncArgs parse_runc_args(const std::vector<std::string>& args)
{
    RuncArgs out;
    std::size_t i = 0;
    // Global options, up to the command.
    for (; i < args.size(); ++i) {
        auto option = as_option(args[i]);
        if (!option) {
            if (args[i] == "--" && ++i == args.size())
                return out;
            out.command = args[i++];
            break;
        }
        auto value = value_of(*option, global_with_value, args, i);
        if (!value && takes_value(global_with_value, option->name))
            return out; // a dangling option and no command: runc will say so
        if (option->name == "log")
            out.log = value;
        else if (option->name == "log-format")
            out.log_format = *value;
        else if (option->name == "help" || option->name == "h")
            out.help = true;
        else if (option->name == "version" || option->name == "v")
            out.version = true;
    }
    if (!out.starts_container())
        return out;
    // The command's options, anywhere before "--". runc wants them before the
    // container id, but looking further never takes an id for a bundle.
    for (; i < args.size(); ++i) {
        if (args[i] == "--")
            break;
        auto option = as_option(args[i]);
        if (!option)
            continue;
        auto value = value_of(*option, command_with_value, args, i);
        if (option->name != "bundle" && option->name != "b")
            continue;
        if (!value) {
            out.problem = "runc's command line: " + args[i] +
                          " needs a directory; write --bundle DIR, -b DIR or --bundle=DIR";
            return out;
        }
        out.bundle = value->empty() ? std::nullopt : value;
    }
    return out;
}

} // namespace rnh::runtime
