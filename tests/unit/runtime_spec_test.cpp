// SPDX-License-Identifier: Apache-2.0
#include "base/error.hpp"
#include "runtime/spec_edit.hpp"
#include "tests/support/error_of.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

using rnh::runtime::add_hooks_to_spec;
using Json = nlohmann::ordered_json;

namespace {

const std::string hook = "/usr/bin/rdma-netns-hook";

// A config.json as Docker writes it, with the given process.env.
std::string spec_with_env(const std::string& env, const std::string& extra = "")
{
    return R"({"ociVersion":"1.0.2-dev","process":{"user":{"uid":0,"gid":0},"args":["sleep","1"],"env":)" +
           env + R"(,"cwd":"/"},"root":{"path":"/var/lib/docker/rootfs"},"hostname":"abc",)" +
           R"("mounts":[{"destination":"/proc","type":"proc","source":"proc"}],)" + extra +
           R"("linux":{"resources":{"memory":{"limit":9223372036854775807}},"namespaces":[{"type":"network"}]}})";
}

Json edited(const std::string& text)
{
    auto out = add_hooks_to_spec(text, "config.json", hook);
    EXPECT_TRUE(out.has_value());
    return Json::parse(out.value_or("null"));
}

std::string error_of(const std::string& text, const std::string& hook_path = hook)
{
    return ::error_of([&] { add_hooks_to_spec(text, "config.json", hook_path); });
}

Json entry(const char* stage)
{
    return Json{{"path", hook}, {"args", {"rdma-netns-hook", stage}}};
}

} // namespace

TEST(RuntimeSpec, NoRequestLeavesTheSpecAlone)
{
    EXPECT_EQ(
        add_hooks_to_spec(spec_with_env(R"(["PATH=/bin","HOME=/home/app"])"), "config.json", hook),
        std::nullopt);
    EXPECT_EQ(add_hooks_to_spec(R"({"ociVersion":"1.0.2"})", "config.json", hook), std::nullopt);
    EXPECT_EQ(add_hooks_to_spec(R"({"process":{"args":["x"]}})", "config.json", hook),
              std::nullopt);
    // Names that merely start like a request variable are no request.
    EXPECT_EQ(
        add_hooks_to_spec(
            spec_with_env(R"(["RDMA_NETNS_DEVICESX=a","XRDMA_NETNS_PCI=b","RDMA_NETNS_DEVICES"])"),
            "config.json", hook),
        std::nullopt);
}

TEST(RuntimeSpec, VariableBecomesAnnotationAndHooks)
{
    auto spec =
        edited(spec_with_env(R"(["PATH=/bin","RDMA_NETNS_DEVICES= mlx5_1, mlx5_3,mlx5_1"])"));
    EXPECT_EQ(spec["annotations"], (Json{{"rdma.netns/devices", "mlx5_1,mlx5_3"}}));
    EXPECT_EQ(spec["hooks"]["prestart"], Json::array({entry("prestart")}));
    EXPECT_EQ(spec["hooks"]["poststop"], Json::array({entry("poststop")}));

    spec = edited(spec_with_env(R"(["RDMA_NETNS_NETDEVS=eth1","RDMA_NETNS_PCI=3B:00.1"])"));
    EXPECT_EQ(spec["annotations"],
              (Json{{"rdma.netns/netdevs", "eth1"}, {"rdma.netns/pci", "0000:3b:00.1"}}));
    EXPECT_EQ(spec["hooks"]["prestart"].size(), 1u);
}

TEST(RuntimeSpec, EveryOtherFieldIsKeptInItsOrder)
{
    const auto before = Json::parse(spec_with_env(R"(["RDMA_NETNS_DEVICES=rxe0"])"));
    auto after = edited(before.dump());
    std::vector<std::string> keys;
    for (const auto& [key, value] : after.items())
        keys.push_back(key);
    EXPECT_EQ(keys, (std::vector<std::string>{"ociVersion", "process", "root", "hostname", "mounts",
                                              "linux", "annotations", "hooks"}));
    after.erase("annotations");
    after.erase("hooks");
    EXPECT_EQ(after, before);
    EXPECT_EQ(after.dump(), before.dump()); // same text: order and numbers too
}

TEST(RuntimeSpec, ExistingAnnotationsAndHooksAreKept)
{
    auto spec = edited(spec_with_env(
        R"(["RDMA_NETNS_DEVICES=rxe0"])",
        R"("annotations":{"org.example/x":"1"},"hooks":{"prestart":[{"path":"/bin/other"}],"createRuntime":[{"path":"/bin/cr"}]},)"));
    EXPECT_EQ(spec["annotations"], (Json{{"org.example/x", "1"}, {"rdma.netns/devices", "rxe0"}}));
    EXPECT_EQ(spec["hooks"]["prestart"],
              (Json::array({{{"path", "/bin/other"}}, entry("prestart")})));
    EXPECT_EQ(spec["hooks"]["createRuntime"], Json::array({{{"path", "/bin/cr"}}}));
    EXPECT_EQ(spec["hooks"]["poststop"], Json::array({entry("poststop")}));
}

TEST(RuntimeSpec, Idempotent)
{
    const auto once =
        add_hooks_to_spec(spec_with_env(R"(["RDMA_NETNS_DEVICES=rxe0"])"), "config.json", hook);
    ASSERT_TRUE(once);
    EXPECT_EQ(add_hooks_to_spec(*once, "config.json", hook), std::nullopt);
    // The hook already there under another stage name or install path counts too.
    EXPECT_EQ(
        add_hooks_to_spec(
            spec_with_env(
                R"(["RDMA_NETNS_DEVICES=rxe0"])",
                R"("annotations":{"rdma.netns/devices":"rxe0"},"hooks":{"createRuntime":[{"path":"/opt/rnh/rdma-netns-hook","args":["rdma-netns-hook","createRuntime"]}],"poststop":[{"path":"/opt/rnh/rdma-netns-hook"}]},)"),
            "config.json", hook),
        std::nullopt);
    // Only what is missing is added.
    auto spec = edited(spec_with_env(
        R"(["RDMA_NETNS_DEVICES=rxe0"])",
        R"("hooks":{"prestart":[{"path":"/usr/bin/rdma-netns-hook","args":["rdma-netns-hook","prestart"]}]},)"));
    EXPECT_EQ(spec["hooks"]["prestart"], Json::array({entry("prestart")}));
    EXPECT_EQ(spec["hooks"]["poststop"], Json::array({entry("poststop")}));
}

TEST(RuntimeSpec, AnnotationWinsOverTheVariable)
{
    auto spec = edited(spec_with_env(R"(["RDMA_NETNS_DEVICES=rxe1","RDMA_NETNS_NETDEVS=v2"])",
                                     R"("annotations":{"rdma.netns/devices":"rxe0"},)"));
    EXPECT_EQ(spec["annotations"],
              (Json{{"rdma.netns/devices", "rxe0"}, {"rdma.netns/netdevs", "v2"}}));
    // A losing variable is not even read, malformed or not.
    spec = edited(spec_with_env(R"(["RDMA_NETNS_DEVICES=bad;name"])",
                                R"("annotations":{"rdma.netns/devices":"rxe0"},)"));
    EXPECT_EQ(spec["annotations"], (Json{{"rdma.netns/devices", "rxe0"}}));
    // The first of two same-named variables counts.
    spec = edited(spec_with_env(R"(["RDMA_NETNS_DEVICES=rxe3","RDMA_NETNS_DEVICES=rxe4"])"));
    EXPECT_EQ(spec["annotations"]["rdma.netns/devices"], "rxe3");
}

TEST(RuntimeSpec, AnnotationAloneIsARequest)
{
    auto spec =
        edited(spec_with_env(R"([])", R"("annotations":{"rdma.netns/pci":"0000:3b:00.1"},)"));
    EXPECT_EQ(spec["hooks"]["prestart"], Json::array({entry("prestart")}));
    EXPECT_EQ(spec["annotations"], (Json{{"rdma.netns/pci", "0000:3b:00.1"}}));
}

TEST(RuntimeSpec, MalformedVariablesAreRefused)
{
    EXPECT_EQ(
        error_of(spec_with_env(R"(["RDMA_NETNS_DEVICES=rxe0;reboot"])")),
        "environment variable RDMA_NETNS_DEVICES: \"rxe0;reboot\" is not a valid RDMA device name; "
        "names are 1 to 63 of [A-Za-z0-9_.:-], such as mlx5_0");
    EXPECT_EQ(error_of(spec_with_env(R"(["RDMA_NETNS_DEVICES="])")),
              "environment variable RDMA_NETNS_DEVICES has an empty item in \"\"; write a "
              "comma-separated "
              "list such as mlx5_0,mlx5_1");
    EXPECT_EQ(error_of(spec_with_env(R"(["RDMA_NETNS_NETDEVS=eth0:1"])")),
              "environment variable RDMA_NETNS_NETDEVS: \"eth0:1\" is not a valid network "
              "interface name; "
              "names are 1 to 15 printable characters without '/', ':' or spaces, such as eth1");
    EXPECT_EQ(error_of(spec_with_env(R"(["RDMA_NETNS_PCI=3b:00"])")),
              "environment variable RDMA_NETNS_PCI: \"3b:00\" is not a PCI address; write "
              "domain:bus:device.function in hex, such as 0000:3b:00.1");
}

TEST(RuntimeSpec, MalformedSpecsAreRefused)
{
    EXPECT_EQ(error_of("{"),
              "config.json is not valid JSON ([json.exception.parse_error.101] parse error at line "
              "1, column 2: syntax error while parsing object key - unexpected end of input; "
              "expected string literal)");
    EXPECT_EQ(error_of("[]"), "config.json must be a JSON object");
    EXPECT_NE(error_of(std::string(40, '[') + std::string(40, ']')).find("nests deeper than 32"),
              std::string::npos);
    EXPECT_EQ(error_of(R"({"process":{"env":"RDMA_NETNS_DEVICES=x"}})"),
              "config.json: \"process.env\" must be an array, not string");
    EXPECT_EQ(error_of(R"({"process":{"env":[1]}})"),
              "config.json: \"process.env\" must hold strings, not number");
    EXPECT_EQ(error_of(R"({"process":{"env":["RDMA_NETNS_DEVICES=x"]},"annotations":[]})"),
              "config.json: \"annotations\" must be a JSON object, not array");
    EXPECT_EQ(error_of(R"({"process":{"env":["RDMA_NETNS_DEVICES=x"]},"hooks":{"poststop":{}}})"),
              "config.json: \"hooks.poststop\" must be an array, not object");
    EXPECT_EQ(
        error_of(R"({"process":{"env":["RDMA_NETNS_DEVICES=x"]}})", "rdma-netns-hook"),
        "the hook's path \"rdma-netns-hook\" is not absolute; set RDMA_NETNS_HOOK to the installed "
        "rdma-netns-hook, such as /usr/bin/rdma-netns-hook");
}
