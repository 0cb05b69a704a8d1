// SPDX-License-Identifier: Apache-2.0
// The settings of commands that return devices: a broken file is read as far
// as it can be, and said to be broken once.
#include "base/error.hpp"
#include "hook/config/config.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace {

using rnh::parse_config_for_release;

TEST(ReleaseConfig, AValidFileIsReadWhole)
{
    auto loaded = parse_config_for_release(
        R"({"state_dir":"/s","policy":{"deny":["mlx5_0"]},"with_netdevs":true})", "c.json");
    EXPECT_FALSE(loaded.warning);
    EXPECT_EQ(loaded.config.state_dir, "/s");
    EXPECT_EQ(loaded.config.policy.deny, std::vector<std::string>{"mlx5_0"});
    EXPECT_TRUE(loaded.config.with_netdevs);
}

TEST(ReleaseConfig, AnUnknownKeyKeepsTheSettingsThatRelease)
{
    auto loaded = parse_config_for_release(
        R"({"colour":"blue","state_dir":"/s","sysfs_root":"/sys2","netlink_timeout_ms":7,
            "return_timeout_ms":8,"move_threads":2,"runtime":"/usr/sbin/runc",
            "hook_path":"/h","with_netdevs":true})",
        "c.json");
    ASSERT_TRUE(loaded.warning);
    EXPECT_EQ(*loaded.warning,
              "c.json: unknown setting \"colour\"; known settings: state_dir, sysfs_root, "
              "netlink_timeout_ms, return_timeout_ms, move_threads, with_netdevs, "
              "allow_default_route_netdev, policy, memlock, missing_rdma_controller, and "
              "rdma-netns-runtime's runtime and hook_path (starts are refused until it is "
              "fixed; this command goes on with what of it reads as valid: state directory /s)");
    const auto& c = loaded.config;
    EXPECT_EQ(c.state_dir, "/s");
    EXPECT_EQ(c.sysfs_root, "/sys2");
    EXPECT_EQ(c.netlink_timeout.count(), 7);
    EXPECT_EQ(c.return_timeout.count(), 8);
    EXPECT_EQ(c.move_threads, 2U);
    EXPECT_EQ(c.runtime, "/usr/sbin/runc");
    EXPECT_EQ(c.hook_path, "/h");
    // what only starts read is not taken from a broken file
    EXPECT_FALSE(c.with_netdevs);
    EXPECT_EQ(c.source, "c.json");
}

TEST(ReleaseConfig, AValueOutOfRangeFallsBackToItsDefault)
{
    auto loaded = parse_config_for_release(
        R"({"state_dir":"/s","netlink_timeout_ms":0,"move_threads":99})", "c.json");
    ASSERT_TRUE(loaded.warning);
    // the first of them in the keys' order
    EXPECT_EQ(*loaded.warning,
              "c.json: \"move_threads\" must be a whole number from 1 to 16 (starts are refused "
              "until it is fixed; this command goes on with what of it reads as valid: state "
              "directory /s)");
    EXPECT_EQ(loaded.config.state_dir, "/s");
    EXPECT_EQ(loaded.config.netlink_timeout.count(), 5000);
    EXPECT_EQ(loaded.config.move_threads, 4U);
}

TEST(ReleaseConfig, AnInvalidStateDirIsTheDefault)
{
    for (const auto* dir : {R"("run/x")", R"("")", "7", "null", R"(["/s"])"}) {
        auto loaded = parse_config_for_release(std::string(R"({"state_dir":)") + dir + "}", "c");
        EXPECT_TRUE(loaded.warning) << dir;
        EXPECT_EQ(loaded.config.state_dir, "/run/rdma-netns-hook") << dir;
        EXPECT_NE(loaded.warning->find("state directory /run/rdma-netns-hook)"), std::string::npos)
            << *loaded.warning;
    }
}

TEST(ReleaseConfig, TextThatIsNotAnObjectGivesTheDefaults)
{
    for (const auto* text :
         {R"({"state_dir":"/s",)", "", "[]", R"("/s")", R"({"state_dir":"/s"} x)"}) {
        auto loaded = parse_config_for_release(text, "c.json");
        ASSERT_TRUE(loaded.warning) << text;
        EXPECT_EQ(loaded.warning->rfind("c.json ", 0), 0U) << *loaded.warning;
        EXPECT_EQ(loaded.config.state_dir, "/run/rdma-netns-hook") << text;
        EXPECT_EQ(loaded.config.move_threads, 4U) << text;
    }
}

TEST(ReleaseConfig, ACrossCheckOfStartSettingsIsNoMatterForRelease)
{
    auto loaded = parse_config_for_release(
        R"({"state_dir":"/s","memlock":"1G","policy":{"max_memlock":"1M"}})", "c.json");
    ASSERT_TRUE(loaded.warning);
    EXPECT_EQ(loaded.config.state_dir, "/s");
}

class ReleaseConfigFile : public ::testing::Test {
protected:
    std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                ("rnh-release-config-" + std::to_string(::getpid()));
    void SetUp() override { std::filesystem::create_directories(dir); }
    void TearDown() override { std::filesystem::remove_all(dir); }
    std::string write(const std::string& name, const std::string& text)
    {
        std::ofstream(dir / name) << text;
        return (dir / name).string();
    }
};

TEST_F(ReleaseConfigFile, ReadAsForStarts)
{
    auto path = write("c.json", R"({"state_dir":"/s"})");
    auto loaded = rnh::load_config_for_release(path);
    EXPECT_FALSE(loaded.warning);
    EXPECT_EQ(loaded.config.state_dir, "/s");
    EXPECT_EQ(loaded.config.source, path);
}

TEST_F(ReleaseConfigFile, BrokenOnesNamedInTheWarning)
{
    auto path = write("c.json", R"({"state_dir":"/s","typo":1})");
    auto loaded = rnh::load_config_for_release(path);
    ASSERT_TRUE(loaded.warning);
    EXPECT_EQ(loaded.warning->rfind(path + ": unknown setting \"typo\"", 0), 0U) << *loaded.warning;
    EXPECT_EQ(loaded.config.state_dir, "/s");
}

TEST_F(ReleaseConfigFile, AnUnreadableFileGivesTheDefaults)
{
    auto missing = (dir / "missing.json").string();
    auto loaded = rnh::load_config_for_release(missing);
    ASSERT_TRUE(loaded.warning);
    EXPECT_EQ(*loaded.warning,
              "opening " + missing +
                  ": No such file or directory (starts are refused until it is fixed; this "
                  "command goes on with what of it reads as valid: state directory "
                  "/run/rdma-netns-hook)");
    auto target = write("target.json", R"({"state_dir":"/s"})");
    std::filesystem::create_symlink(target, dir / "link.json");
    loaded = rnh::load_config_for_release((dir / "link.json").string());
    ASSERT_TRUE(loaded.warning);
    EXPECT_EQ(loaded.config.state_dir, "/run/rdma-netns-hook");
    loaded = rnh::load_config_for_release(dir.string());
    ASSERT_TRUE(loaded.warning);
    EXPECT_EQ(loaded.config.state_dir, "/run/rdma-netns-hook");
}

TEST_F(ReleaseConfigFile, StartsStillRefuseTheSameFile)
{
    auto path = write("c.json", R"({"state_dir":"/s","typo":1})");
    EXPECT_THROW(rnh::load_config(path), rnh::Error);
}

} // namespace
