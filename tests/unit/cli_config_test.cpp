// SPDX-License-Identifier: Apache-2.0
#include "base/error.hpp"
#include "hook/cli.hpp"
#include "hook/config/config.hpp"

#include "tests/support/error_of.hpp"

#include <gtest/gtest.h>

using rnh::Command;
using rnh::parse_command_line;

TEST(CommandLine, StagesAndOptions)
{
    EXPECT_EQ(parse_command_line({"prestart"}).command, Command::prestart);
    EXPECT_EQ(parse_command_line({"createRuntime"}).command, Command::prestart);
    EXPECT_EQ(parse_command_line({"poststop"}).command, Command::poststop);
    EXPECT_EQ(parse_command_line({"recover"}).command, Command::recover);
    auto status = parse_command_line({"--config", "/x.json", "status", "--json"});
    EXPECT_EQ(status.command, Command::status);
    EXPECT_TRUE(status.json);
    EXPECT_EQ(status.config_path, "/x.json");
    EXPECT_EQ(parse_command_line({"--config=/y", "poststop"}).config_path, "/y");
    EXPECT_EQ(parse_command_line({"status", "--help"}).command, Command::help);
    EXPECT_EQ(parse_command_line({"--version"}).command, Command::version);
}

TEST(CommandLine, MistakesAreNamed)
{
    EXPECT_EQ(error_of([] { parse_command_line({}); }),
              "no command given; see rdma-netns-hook --help");
    EXPECT_EQ(
        error_of([] { parse_command_line({"createContainer"}); }),
        "unexpected argument \"createContainer\"; the commands are prestart, createRuntime, "
        "poststop, status, recover, audit, cdi generate and setup; see rdma-netns-hook --help");
    EXPECT_EQ(
        error_of([] {
            parse_command_line({"recover", "--json"});
        }),
        "unexpected argument \"--json\"; the commands are prestart, createRuntime, "
        "poststop, status, recover, audit, cdi generate and setup; see rdma-netns-hook --help");
    EXPECT_EQ(error_of([] {
                  parse_command_line({"status", "--config"});
              }),
              "--config needs a value; see rdma-netns-hook --help");
}

TEST(CommandLine, HookArgumentsOfCdiEntries)
{
    auto inv = parse_command_line({"createRuntime", "--device", "mlx5_1", "--device=mlx5_2,mlx5_1",
                                   "--verbs-node", "mlx5_1=uverbs3"});
    EXPECT_EQ(inv.command, Command::prestart);
    EXPECT_EQ(inv.devices, (std::vector<std::string>{"mlx5_1", "mlx5_2", "mlx5_1"}));
    EXPECT_EQ(inv.verbs_nodes.at("mlx5_1"), "uverbs3");
    EXPECT_EQ(error_of([] {
                  parse_command_line({"prestart", "--device", "a/b"});
              }),
              "--device: \"a/b\" is not a valid RDMA device name; names are 1 to 63 of "
              "[A-Za-z0-9_.:-], such as mlx5_0");
    EXPECT_EQ(error_of([] {
                  parse_command_line({"prestart", "--verbs-node", "mlx5_1=umad0"});
              }),
              "--verbs-node \"mlx5_1=umad0\" is not of the form NAME=uverbsN; for example "
              "--verbs-node mlx5_1=uverbs1");
}

// A CDI spec written by a newer version may give its hook entries options this
// one does not know: they are skipped (main() warns), not a failed start.
TEST(CommandLine, UnknownOptionsOfHookStagesAreSkipped)
{
    auto inv = parse_command_line({"createRuntime", "--device", "mlx5_1", "--netdev-too",
                                   "--limit=3", "--wait", "5s", "--verbs-node", "mlx5_1=uverbs3"});
    EXPECT_EQ(inv.command, Command::prestart);
    EXPECT_EQ(inv.devices, (std::vector<std::string>{"mlx5_1"}));
    EXPECT_EQ(inv.verbs_nodes.at("mlx5_1"), "uverbs3");
    EXPECT_EQ(inv.ignored, (std::vector<std::string>{"--netdev-too", "--limit=3", "--wait 5s"}));
    EXPECT_EQ(parse_command_line({"poststop", "--device", "x"}).ignored,
              (std::vector<std::string>{"--device x"}));
    EXPECT_TRUE(parse_command_line({"prestart", "--device", "x"}).ignored.empty());
    // Not an option, and not a hook stage: still refused.
    EXPECT_EQ(
        error_of([] {
            parse_command_line({"prestart", "stray"});
        }),
        "unexpected argument \"stray\"; the commands are prestart, createRuntime, "
        "poststop, status, recover, audit, cdi generate and setup; see rdma-netns-hook --help");
    EXPECT_EQ(
        error_of([] {
            parse_command_line({"status", "--wait"});
        }),
        "unexpected argument \"--wait\"; the commands are prestart, createRuntime, "
        "poststop, status, recover, audit, cdi generate and setup; see rdma-netns-hook --help");
}

TEST(CommandLine, OperatorCommands)
{
    auto cdi = parse_command_line({"cdi", "generate", "--output", "/etc/cdi/rdma.json"});
    EXPECT_EQ(cdi.command, Command::cdi_generate);
    EXPECT_EQ(cdi.output, "/etc/cdi/rdma.json");
    EXPECT_TRUE(cdi.cdi_mad_nodes);
    cdi = parse_command_line({"cdi", "generate", "--no-mad-nodes", "--output=/x.json"});
    EXPECT_FALSE(cdi.cdi_mad_nodes);
    EXPECT_EQ(cdi.output, "/x.json");
    EXPECT_EQ(parse_command_line({"setup", "--exclusive"}).command, Command::setup);
    EXPECT_EQ(error_of([] { parse_command_line({"cdi"}); }),
              "cdi needs the subcommand generate; rdma-netns-hook cdi generate [--output FILE] "
              "[--no-mad-nodes] [--with-netdevs]");
    EXPECT_EQ(
        error_of([] {
            parse_command_line({"cdi", "generate", "--no-mad"});
        }),
        "unexpected argument \"--no-mad\"; the commands are prestart, createRuntime, "
        "poststop, status, recover, audit, cdi generate and setup; see rdma-netns-hook --help");
    EXPECT_EQ(error_of([] { parse_command_line({"setup"}); }),
              "setup needs --exclusive; rdma-netns-hook setup --exclusive");
}

TEST(Config, DefaultsAndSettings)
{
    auto defaults = rnh::parse_config("{}", "c");
    EXPECT_EQ(defaults.state_dir, "/run/rdma-netns-hook");
    auto set = rnh::parse_config(
        R"({"state_dir":"/tmp/s","sysfs_root":"/tmp/sys","netlink_timeout_ms":100,"return_timeout_ms":2000,"move_threads":1})",
        "c");
    EXPECT_EQ(set.state_dir, "/tmp/s");
    EXPECT_EQ(set.sysfs_root, "/tmp/sys");
    EXPECT_EQ(set.netlink_timeout.count(), 100);
    EXPECT_EQ(set.return_timeout.count(), 2000);
    EXPECT_EQ(defaults.move_threads, 4U);
    EXPECT_EQ(set.move_threads, 1U);
    // rdma-netns-runtime reads these from the same file; the hook lets them be.
    EXPECT_NO_THROW(rnh::parse_config(R"({"runtime":"runc","hook_path":"/usr/bin/x"})", "c"));
}

TEST(Config, MistakesAreNamed)
{
    EXPECT_EQ(error_of([] { rnh::parse_config(R"({"statedir":"/x"})", "c.json"); }),
              "c.json: unknown setting \"statedir\"; known settings: state_dir, sysfs_root, "
              "netlink_timeout_ms, return_timeout_ms, move_threads, with_netdevs, "
              "allow_default_route_netdev, policy, memlock, missing_rdma_controller, and "
              "rdma-netns-runtime's runtime and hook_path");
    EXPECT_EQ(error_of([] { rnh::parse_config(R"({"state_dir":"run"})", "c.json"); }),
              "c.json: \"state_dir\" must be an absolute path, not \"run\"");
    EXPECT_EQ(error_of([] { rnh::parse_config(R"({"netlink_timeout_ms":0})", "c.json"); }),
              "c.json: \"netlink_timeout_ms\" must be a whole number of milliseconds from 1 to "
              "600000");
    for (const auto* threads : {"0", "17", "2.5", "\"4\""})
        EXPECT_EQ(error_of([&] {
                      rnh::parse_config(std::string(R"({"move_threads":)") + threads + "}",
                                        "c.json");
                  }),
                  "c.json: \"move_threads\" must be a whole number from 1 to 16")
            << threads;
    EXPECT_EQ(error_of([] { rnh::load_config(std::string("/nonexistent/c.json")); }),
              "opening /nonexistent/c.json: No such file or directory");
}
