// SPDX-License-Identifier: Apache-2.0
// The hooks.d files against the 1.0.0 schema and the matching rules of
// containers/common (oci-hooks(5)): a hook is injected when every
// when.annotations pair, both POSIX extended regular expressions searched
// unanchored, matches some key/value pair of the container's annotations.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

namespace {

using Annotations = std::map<std::string, std::string>;

nlohmann::json load(const std::string& stage)
{
    std::ifstream in(std::string(RNH_HOOKS_D_DIR) + "/rdma-netns-hook-" + stage + ".json");
    return nlohmann::json::parse(in);
}

bool injected(const nlohmann::json& hook, const Annotations& annotations)
{
    for (const auto& [key_re, value_re] : hook["when"]["annotations"].items()) {
        std::regex key(key_re, std::regex::extended);
        std::regex value(value_re.get<std::string>(), std::regex::extended);
        bool matched = false;
        for (const auto& [k, v] : annotations)
            matched |= std::regex_search(k, key) && std::regex_search(v, value);
        if (!matched)
            return false;
    }
    return true;
}

} // namespace

TEST(HooksD, FollowsTheSchema)
{
    const std::set<std::string> oci_stages = {"prestart",       "createRuntime", "createContainer",
                                              "startContainer", "poststart",     "poststop"};
    for (const std::string stage : {"prestart", "poststop"}) {
        auto hook = load(stage);
        EXPECT_EQ(hook["version"], "1.0.0");
        const std::string path = hook["hook"]["path"];
        EXPECT_EQ(path.front(), '/') << "hook.path must be absolute";
        EXPECT_TRUE(path.ends_with("/rdma-netns-hook"));
        EXPECT_EQ(hook["hook"]["args"], nlohmann::json({"rdma-netns-hook", stage}));
        ASSERT_TRUE(hook["when"].is_object());
        EXPECT_TRUE(hook["when"].contains("annotations"));
        for (const auto& key : hook["when"].items())
            EXPECT_TRUE(
                std::set<std::string>({"always", "annotations", "commands", "hasBindMounts"})
                    .contains(key.key()));
        ASSERT_EQ(hook["stages"].size(), 1u);
        EXPECT_EQ(hook["stages"][0], stage);
        EXPECT_TRUE(oci_stages.contains(hook["stages"][0]));
    }
}

TEST(HooksD, InjectedExactlyForRequests)
{
    for (const std::string stage : {"prestart", "poststop"}) {
        auto hook = load(stage);
        EXPECT_TRUE(injected(hook, {{"rdma.netns/devices", "mlx5_1"}}));
        EXPECT_TRUE(injected(hook, {{"rdma.netns/netdevs", "eth1"}, {"other", "x"}}));
        EXPECT_TRUE(injected(hook, {{"rdma.netns/pci", "0000:3b:00.1"}}));
        EXPECT_FALSE(injected(hook, {}));
        EXPECT_FALSE(injected(hook, {{"rdma.netns/devices", ""}}));
        EXPECT_FALSE(injected(hook, {{"rdma.netns/devicesx", "mlx5_1"}}));
        EXPECT_FALSE(injected(hook, {{"xrdma.netns/devices", "mlx5_1"}}));
        EXPECT_FALSE(injected(hook, {{"rdmaxnetns/devices", "mlx5_1"}}));
        EXPECT_FALSE(injected(hook, {{"io.kubernetes.pod.name", "rdma.netns/devices"}}));
    }
}
