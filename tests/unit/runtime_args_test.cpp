// SPDX-License-Identifier: Apache-2.0
#include "runtime/args.hpp"

#include <gtest/gtest.h>

using rnh::runtime::parse_runc_args;
using Args = std::vector<std::string>;

TEST(RuntimeArgs, BundleSpellings)
{
    EXPECT_EQ(parse_runc_args({"create", "--bundle", "/b", "c1"}).bundle, "/b");
    EXPECT_EQ(parse_runc_args({"create", "-b", "/b", "c1"}).bundle, "/b");
    EXPECT_EQ(parse_runc_args({"create", "--bundle=/b", "c1"}).bundle, "/b");
    EXPECT_EQ(parse_runc_args({"create", "-bundle", "/b", "c1"}).bundle, "/b");
    EXPECT_EQ(parse_runc_args({"create", "-b=/b", "c1"}).bundle, "/b");
    EXPECT_EQ(parse_runc_args({"run", "-b", "rel/dir", "c1"}).bundle, "rel/dir");
}

TEST(RuntimeArgs, NoBundleMeansTheWorkingDirectory)
{
    auto args = parse_runc_args({"create", "c1"});
    EXPECT_EQ(args.command, "create");
    EXPECT_EQ(args.bundle, std::nullopt);
    EXPECT_EQ(parse_runc_args({"create", "--bundle=", "c1"}).bundle, std::nullopt);
    EXPECT_EQ(parse_runc_args({"run", "c1"}).bundle, std::nullopt);
}

TEST(RuntimeArgs, ContainerdCommandLine)
{
    // What containerd's runc shim runs (through dockerd with --runtime).
    auto args =
        parse_runc_args({"--root", "/var/run/docker/runtime-runc/moby", "--log",
                         "/run/containerd/io.containerd.runtime.v2.task/moby/abc/log.json",
                         "--log-format", "json", "--systemd-cgroup", "create", "--bundle",
                         "/run/containerd/io.containerd.runtime.v2.task/moby/abc", "--pid-file",
                         "/run/x/init.pid", "--console-socket", "/tmp/pty.sock", "abc"});
    EXPECT_EQ(args.command, "create");
    EXPECT_TRUE(args.starts_container());
    EXPECT_EQ(args.bundle, "/run/containerd/io.containerd.runtime.v2.task/moby/abc");
    EXPECT_EQ(args.log, "/run/containerd/io.containerd.runtime.v2.task/moby/abc/log.json");
    EXPECT_EQ(args.log_format, "json");
    EXPECT_TRUE(args.problem.empty());
}

TEST(RuntimeArgs, CommandOptionsBeforeAndAfterTheBundle)
{
    EXPECT_EQ(
        parse_runc_args({"create", "--pid-file", "/p", "--console-socket", "/s", "-b", "/b", "c1"})
            .bundle,
        "/b");
    EXPECT_EQ(
        parse_runc_args({"create", "-b", "/b", "--pid-file", "/p", "--no-pivot", "c1"}).bundle,
        "/b");
    // A value that looks like an option is still the option's value.
    EXPECT_EQ(parse_runc_args({"create", "--pid-file", "--bundle", "c1"}).bundle, std::nullopt);
    EXPECT_EQ(parse_runc_args({"create", "--console-socket=/s", "--bundle", "/b", "c1"}).bundle,
              "/b");
    EXPECT_EQ(parse_runc_args({"create", "--bundle", "/a", "--bundle", "/b", "c1"}).bundle, "/b");
    EXPECT_EQ(parse_runc_args({"run", "--detach", "-d", "--keep", "--bundle", "/b", "c1"}).bundle,
              "/b");
}

TEST(RuntimeArgs, GlobalOptionsBeforeTheCommand)
{
    auto args = parse_runc_args({"--debug", "--log=/l", "--log-format=json", "-root", "/r",
                                 "--criu", "/c", "--rootless", "false", "run", "-b", "/b", "c1"});
    EXPECT_EQ(args.command, "run");
    EXPECT_EQ(args.bundle, "/b");
    EXPECT_EQ(args.log, "/l");
    EXPECT_EQ(args.log_format, "json");
    // --root takes the next argument, even a command's name.
    EXPECT_EQ(parse_runc_args({"--root", "create", "state", "c1"}).command, "state");
    EXPECT_EQ(parse_runc_args({"--", "create", "c1"}).command, "create");
    EXPECT_EQ(parse_runc_args({"--log-format", "json"}).command, "");
    EXPECT_EQ(parse_runc_args({"--root"}).command, "");
}

TEST(RuntimeArgs, OtherCommandsPassThroughUntouched)
{
    for (const auto* command : {"start", "delete", "state", "kill", "exec", "ps", "pause", "update",
                                "features", "spec"}) {
        auto args =
            parse_runc_args({"--root", "/r", "--log", "/l", command, "--bundle", "/b", "c1"});
        EXPECT_EQ(args.command, command);
        EXPECT_FALSE(args.starts_container()) << command;
        EXPECT_EQ(args.bundle, std::nullopt) << command;
        EXPECT_EQ(args.log, "/l");
        // Whatever follows is not even looked at.
        EXPECT_TRUE(parse_runc_args({command, "--bundle"}).problem.empty()) << command;
    }
    EXPECT_EQ(parse_runc_args({"--version"}).command, "");
    EXPECT_EQ(parse_runc_args({}).command, "");
    EXPECT_FALSE(parse_runc_args({"--help"}).starts_container());
}

TEST(RuntimeArgs, BundleWithoutAValueIsAProblem)
{
    auto args = parse_runc_args({"--log", "/l", "create", "c1", "--bundle"});
    EXPECT_EQ(args.problem, "runc's command line: --bundle needs a directory; write --bundle DIR, "
                            "-b DIR or --bundle=DIR");
    EXPECT_EQ(args.log, "/l");
    EXPECT_FALSE(parse_runc_args({"run", "-b"}).problem.empty());
    // After "--" nothing is an option.
    auto after = parse_runc_args({"create", "c1", "--", "--bundle"});
    EXPECT_TRUE(after.problem.empty());
    EXPECT_EQ(after.bundle, std::nullopt);
}

TEST(RuntimeArgs, HelpAndVersionAreGlobalOptions)
{
    EXPECT_TRUE(parse_runc_args({"--version"}).version);
    EXPECT_TRUE(parse_runc_args({"-v"}).version);
    EXPECT_TRUE(parse_runc_args({"--root", "/r", "--help"}).help);
    EXPECT_TRUE(parse_runc_args({"-h"}).help);
    EXPECT_FALSE(parse_runc_args({"--help"}).version);
    // A command's --help is the command's: runc answers it alone.
    EXPECT_FALSE(parse_runc_args({"create", "--help"}).help);
    EXPECT_FALSE(parse_runc_args({"state", "--version"}).version);
}
