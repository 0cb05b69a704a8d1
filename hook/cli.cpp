// SPDX-License-Identifier: Apache-2.0
#include "hook/cli.hpp"

#include "base/error.hpp"
#include "oci/request.hpp"

#include <regex>

namespace rnh {

const char* const usage_text =
    R"(usage: rdma-netns-hook [--config FILE] COMMAND

Gives a container its own RDMA devices: moves the devices it asks for into its
network namespace before it starts, and returns them when it stops. Needs the
RDMA subsystem in exclusive netns mode (`rdma system set netns exclusive`, or
`options ib_core netns_mode=0` at boot).

Commands (OCI hooks: the runtime writes the container's state on stdin):
  prestart, createRuntime  move the requested devices into the container
      --device NAME              also move NAME (what CDI hook entries use)
      --verbs-node NAME=uverbsN  fail unless NAME's verbs node is uverbsN after
                                 the move (the node a CDI spec gave the container)
      --with-netdevs             move the netdevs bound to the devices' ports
                                 too, unless rdma.netns/with-netdevs says false
  poststop                 return them to the host
Commands for operators:
  status [--json]          netns mode, host devices and current assignments
  recover                  return the devices of containers that are gone
  cdi generate [--output FILE] [--no-mad-nodes] [--with-netdevs]
                           write a CDI spec (kind rdma.netns/device) with one
                           device per RDMA device in the host or held by a
                           container, and the device "all"; each gives its
                           verbs, umad and issm nodes (not with --no-mad-nodes)
                           and RDMA_NETNS_DEVICES; with --with-netdevs its hook
                           entries move their netdevs too; FILE is left as it
                           is when its text would not change
  setup --exclusive        switch the RDMA subsystem to exclusive netns mode
  audit TARGET [--json]    what a container reaches of the RDMA devices: which
                           ones it sees or opens through RDMA netlink, sysfs,
                           the verbs and MAD nodes and rdma_cm, against what it
                           was given; exit 1 with one line per breach. TARGET:
                           a pid, a container id of the journal, or a network
                           namespace path such as /run/netns/NAME

Requests (container annotations, comma-separated lists):
  rdma.netns/devices=mlx5_1,mlx5_3   RDMA devices by name
  rdma.netns/netdevs=eth1            the RDMA devices bound to these netdevs
  rdma.netns/pci=0000:3b:00.1        the RDMA devices of these PCI functions
  rdma.netns/with-netdevs=true       their netdevs go too (RoCE), and come back
                                     with their name, MTU, state and addresses
  rdma.netns/memlock=64M             with devices: the container's locked-memory
                                     limit, up to the policy's max_memlock

Options:
  --config FILE   settings (default /etc/rdma-netns-hook/config.json; keys
                  state_dir, sysfs_root, netlink_timeout_ms, return_timeout_ms,
                  move_threads, with_netdevs, allow_default_route_netdev, memlock,
                  missing_rdma_controller, policy: allow, deny, max_devices,
                  request_annotations, allow_with_netdevs, max_memlock, rdma_limits)
  --help          this text
  --version       the version and the commit it was built from
)";

namespace {

[[noreturn]] void unexpected(const std::string& arg)
{
    fail("unexpected argument \"" + arg + "\"",
         "the commands are prestart, createRuntime, poststop, status, recover, audit, cdi generate "
         "and setup; see rdma-netns-hook --help");
}

class Arguments {
public:
    explicit Arguments(const std::vector<std::string>& args) : args_(args) {}
    bool done() const { return next_ == args_.size(); }
    const std::string& peek() const { return args_[next_]; }
    const std::string& take() { return args_[next_++]; }
    // The value of `option`, given as "--option VALUE" or "--option=VALUE".
    std::optional<std::string> value_of(const std::string& option)
    {
        const auto& arg = peek();
        if (arg.starts_with(option + "=")) {
            ++next_;
            return arg.substr(option.size() + 1);
        }
        if (arg != option)
            return std::nullopt;
        ++next_;
        if (done())
            fail(option + " needs a value", "see rdma-netns-hook --help");
        return take();
    }

private:
    const std::vector<std::string>& args_;
    std::size_t next_ = 0;
};

void parse_verbs_node(const std::string& value, Invocation& inv)
{
    static const std::regex form("([^=]+)=(uverbs[0-9]{1,4})");
    std::smatch m;
    if (!std::regex_match(value, m, form))
        fail("--verbs-node \"" + value + "\" is not of the form NAME=uverbsN",
             "for example --verbs-node mlx5_1=uverbs1");
    auto names = oci::parse_device_list(m[1].str(), "--verbs-node");
    inv.verbs_nodes[names.front()] = m[2].str();
}

// An option of a hook stage that this version does not know: its value goes
// with it, "--name=value" or "--name value" (hook stages take no operands).
bool ignore_unknown_option(Arguments& args, Invocation& inv)
{
    const bool hook_stage = inv.command == Command::prestart || inv.command == Command::poststop;
    if (!hook_stage || !args.peek().starts_with("-"))
        return false;
    auto option = args.take();
    if (option.find('=') == std::string::npos && !args.done() && !args.peek().starts_with("-"))
        option += " " + args.take();
    inv.ignored.push_back(std::move(option));
    return true;
}

void parse_command_options(Arguments& args, Invocation& inv)
{
    while (!args.done()) {
        if (args.peek() == "--help" || args.peek() == "-h") {
            inv = {};
            return;
        }
        if (auto config = args.value_of("--config")) {
            inv.config_path = config;
        } else if ((inv.command == Command::status || inv.command == Command::audit) &&
                   args.peek() == "--json") {
            args.take();
            inv.json = true;
        } else if (inv.command == Command::audit && !inv.target && !args.peek().starts_with("-")) {
            inv.target = args.take();
        } else if (inv.command == Command::prestart) {
            if (auto device = args.value_of("--device")) {
                for (auto& name : oci::parse_device_list(*device, "--device"))
                    inv.devices.push_back(std::move(name));
            } else if (auto node = args.value_of("--verbs-node")) {
                parse_verbs_node(*node, inv);
            } else if (args.peek() == "--with-netdevs") {
                args.take();
                inv.with_netdevs = true;
            } else if (!ignore_unknown_option(args, inv)) {
                unexpected(args.peek());
            }
        } else if (inv.command == Command::cdi_generate) {
            if (auto output = args.value_of("--output")) {
                inv.output = output;
            } else if (args.peek() == "--no-mad-nodes") {
                args.take();
                inv.cdi_mad_nodes = false;
            } else if (args.peek() == "--with-netdevs") {
                args.take();
                inv.with_netdevs = true;
            } else {
                unexpected(args.peek());
            }
        } else if (!ignore_unknown_option(args, inv)) {
            unexpected(args.peek());
        }
    }
}

} // namespace

Invocation parse_command_line(const std::vector<std::string>& argv)
{
    Invocation inv;
    Arguments args(argv);
    for (;;) {
        if (args.done())
            fail("no command given", "see rdma-netns-hook --help");
        const auto& arg = args.peek();
        if (arg == "--help" || arg == "-h")
            return {};
        if (arg == "--version") {
            inv.command = Command::version;
            return inv;
        }
        if (auto config = args.value_of("--config")) {
            inv.config_path = config;
            continue;
        }
        break;
    }
    const auto command = args.take();
    if (command == "prestart" || command == "createRuntime") {
        inv.command = Command::prestart;
    } else if (command == "poststop") {
        inv.command = Command::poststop;
    } else if (command == "recover") {
        inv.command = Command::recover;
    } else if (command == "status") {
        inv.command = Command::status;
    } else if (command == "cdi") {
        if (args.done() || args.take() != "generate")
            fail("cdi needs the subcommand generate",
                 "rdma-netns-hook cdi generate [--output FILE] [--no-mad-nodes] [--with-netdevs]");
        inv.command = Command::cdi_generate;
    } else if (command == "setup") {
        if (args.done() || args.take() != "--exclusive")
            fail("setup needs --exclusive", "rdma-netns-hook setup --exclusive");
        inv.command = Command::setup;
    } else if (command == "audit") {
        inv.command = Command::audit;
    } else {
        unexpected(command);
    }
    parse_command_options(args, inv);
    if (inv.command == Command::audit && !inv.target)
        fail("audit needs a TARGET: a container's pid, its container id, or a network namespace "
             "path",
             "for example rdma-netns-hook audit 4242, audit CONTAINER_ID or audit "
             "/run/netns/NAME");
    return inv;
}

} // namespace rnh
