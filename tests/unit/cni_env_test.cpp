// SPDX-License-Identifier: Apache-2.0
// The CNI environment, as a runtime sets it for each command.
#include "cni/env.hpp"
#include "tests/support/error_of.hpp"

#include <gtest/gtest.h>

#include <map>

using rnh::cni::Command;

namespace {

rnh::cni::Env env_of(std::map<std::string, std::string> vars)
{
    return rnh::cni::parse_env(
        [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
            auto it = vars.find(name);
            if (it == vars.end())
                return std::nullopt;
            return it->second;
        });
}

std::string env_error(std::map<std::string, std::string> vars)
{
    return error_of([&] { env_of(vars); });
}

const std::map<std::string, std::string> add = {{"CNI_COMMAND", "ADD"},
                                                {"CNI_CONTAINERID", "4f3a9c0e"},
                                                {"CNI_NETNS", "/var/run/netns/cni-1"},
                                                {"CNI_IFNAME", "net1"},
                                                {"CNI_PATH", "/opt/cni/bin"}};

std::map<std::string, std::string> with(std::map<std::string, std::string> vars,
                                        const std::string& key, const std::string& value)
{
    vars[key] = value;
    return vars;
}

std::map<std::string, std::string> without(std::map<std::string, std::string> vars,
                                           const std::string& key)
{
    vars.erase(key);
    return vars;
}

} // namespace

TEST(CniEnv, AddNamesTheAttachment)
{
    auto env =
        env_of(with(add, "CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=ml;K8S_POD_NAME=train-0"));
    EXPECT_EQ(env.command, Command::add);
    EXPECT_EQ(env.container_id, "4f3a9c0e");
    EXPECT_EQ(env.netns, "/var/run/netns/cni-1");
    EXPECT_EQ(env.ifname, "net1");
    EXPECT_EQ(env.args.at("IgnoreUnknown"), "1");
    EXPECT_EQ(rnh::cni::who(env), "pod ml/train-0");
    EXPECT_EQ(rnh::cni::who(env_of(add)), "container 4f3a9c0e");
}

TEST(CniEnv, EachCommandNeedsWhatTheSpecificationSays)
{
    for (const char* command : {"ADD", "CHECK"})
        for (const char* var : {"CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"})
            EXPECT_EQ(
                env_error(without(with(add, "CNI_COMMAND", command), var)),
                std::string(var) + " is not set; a runtime sets it for " + command +
                    "; when calling the plugin by hand, set it as the CNI specification says");
    // DEL may come with no namespace at all (it is gone, or was never made)
    auto del = env_of(with(with(add, "CNI_COMMAND", "DEL"), "CNI_NETNS", ""));
    EXPECT_EQ(del.command, Command::del);
    EXPECT_EQ(del.netns, "");
    EXPECT_EQ(env_of(without(with(add, "CNI_COMMAND", "DEL"), "CNI_NETNS")).netns, "");
    EXPECT_NE(env_error(without(with(add, "CNI_COMMAND", "DEL"), "CNI_IFNAME")), "no error");
    // STATUS, GC and VERSION concern the plugin, not one attachment
    for (auto [name, command] :
         {std::pair{"STATUS", Command::status}, {"GC", Command::gc}, {"VERSION", Command::version}})
        EXPECT_EQ(env_of({{"CNI_COMMAND", name}}).command, command);
}

TEST(CniEnv, BadValuesAreRefusedByName)
{
    EXPECT_EQ(env_error({}),
              "CNI_COMMAND is not set; rdma-netns is a CNI plugin: a runtime calls it with "
              "CNI_COMMAND set to ADD, DEL, CHECK, STATUS, GC or VERSION and the network "
              "configuration on stdin");
    EXPECT_EQ(env_error(with(add, "CNI_COMMAND", "add"))
                  .rfind("CNI_COMMAND \"add\" is not a CNI command", 0),
              0u);
    EXPECT_EQ(env_error(with(add, "CNI_NETNS", "netns/x")),
              "CNI_NETNS \"netns/x\" is not an absolute path; give the path of the network "
              "namespace, e.g. /run/netns/NAME");
    EXPECT_EQ(
        env_error(with(add, "CNI_IFNAME", "a/b")).rfind("CNI_IFNAME \"a/b\" is not a valid", 0),
        0u);
    EXPECT_EQ(env_error(with(add, "CNI_CONTAINERID", "../x")).rfind("CNI_CONTAINERID \"../x\"", 0),
              0u);
    EXPECT_EQ(
        env_error(with(add, "CNI_ARGS", "A=1;junk")),
        "CNI_ARGS item \"junk\" is not KEY=VALUE; CNI_ARGS is KEY=VALUE pairs separated by ';'");
}

// Each refused by parse_env, so main() answers with code 4 (invalid_env).
TEST(CniEnv, LongControlOrNonUtf8ValuesAreRefused)
{
    EXPECT_EQ(env_error(with(add, "CNI_ARGS", "K8S_POD_NAME=" + std::string(5000, 'p'))),
              "CNI_ARGS is 5013 bytes long, over the limit of 4096; check what sets it");
    EXPECT_EQ(env_error(with(add, "CNI_NETNS", "/run/netns/\xff\xfe")),
              "CNI_NETNS \"/run/netns/\\xff\\xfe\" has control characters or is not valid UTF-8; "
              "check what sets it");
    EXPECT_EQ(env_error(with(add, "CNI_ARGS", "A=\x1b[2J")),
              "CNI_ARGS \"A=\\x1b[2J\" has control characters or is not valid UTF-8; check what "
              "sets it");
    EXPECT_EQ(env_error(with(add, "CNI_COMMAND", "ADD\n")).rfind("CNI_COMMAND \"ADD\\x0a\"", 0),
              0u);
    EXPECT_NO_THROW(env_of(with(add, "CNI_ARGS", "K8S_POD_NAME=r\xc3\xa9seau")));
    EXPECT_NO_THROW(env_of(with(add, "CNI_PATH", "\xff"))); // not read
}
