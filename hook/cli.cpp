#include "hook/cli.hpp"

#include "base/error.hpp"

namespace rnh {

const char* const usage_text =
    R"(usage: rdma-netns-hook [--config FILE] COMMAND

Gives a container its own RDMA devices: moves the devices it asks for into its
network namespace before it starts, and returns them when it stops. Needs the
RDMA subsystem in exclusive netns mode (`rdma system set netns exclusive`, or
`options ib_core netns_mode=0` at boot).

Commands (OCI hooks: the runtime writes the container's state on stdin):
  prestart, createRuntime  move the requested devices into the container
  poststop                 return them to the host
  recover                  return the devices of containers that are gone
  status [--json]          netns mode, host devices and current assignments

Requests (container annotations, comma-separated lists):
  rdma.netns/devices=mlx5_1,mlx5_3   RDMA devices by name
  rdma.netns/netdevs=eth1            the RDMA devices bound to these netdevs
  rdma.netns/pci=0000:3b:00.1        the RDMA devices of these PCI functions

Options:
  --config FILE   settings (default /etc/rdma-netns-hook/config.json; keys
                  state_dir, sysfs_root, netlink_timeout_ms, return_timeout_ms)
  --help          this text
  --version       the version
)";

Invocation parse_command_line(const std::vector<std::string>& args)
{
    Invocation inv;
    bool have_command = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& arg = args[i];
        if (arg == "--help" || arg == "-h")
            return {Command::help, {}, false};
        if (arg == "--version")
            return {Command::version, {}, false};
        if (arg == "--config") {
            if (i + 1 == args.size())
                fail("--config needs a file name", "see rdma-netns-hook --help");
            inv.config_path = args[++i];
        } else if (arg.starts_with("--config=")) {
            inv.config_path = arg.substr(9);
        } else if (arg == "--json" && have_command && inv.command == Command::status) {
            inv.json = true;
        } else if (!have_command && (arg == "prestart" || arg == "createRuntime")) {
            inv.command = Command::prestart;
            have_command = true;
        } else if (!have_command && arg == "poststop") {
            inv.command = Command::poststop;
            have_command = true;
        } else if (!have_command && arg == "recover") {
            inv.command = Command::recover;
            have_command = true;
        } else if (!have_command && arg == "status") {
            inv.command = Command::status;
            have_command = true;
        } else {
            fail("unexpected argument \"" + arg + "\"",
                 "the commands are prestart, createRuntime, poststop, recover and status; see "
                 "rdma-netns-hook --help");
        }
    }
    if (!have_command)
        fail("no command given", "see rdma-netns-hook --help");
    return inv;
}

} // namespace rnh
