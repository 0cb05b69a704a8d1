// SPDX-License-Identifier: Apache-2.0
#include "hook/cdi.hpp"
#include "hook/kernel/sysfs.hpp"

#include "tests/support/error_of.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <map>

namespace {

const std::string hook = "/usr/bin/rdma-netns-hook";

nlohmann::json spec_of(const std::vector<rnh::CdiDevice>& devices)
{
    return nlohmann::json::parse(rnh::cdi_spec(devices, hook));
}

nlohmann::json paths(std::initializer_list<const char*> nodes)
{
    auto list = nlohmann::json::array();
    for (const auto* node : nodes)
        list.push_back({{"path", std::string("/dev/infiniband/") + node}});
    return list;
}

} // namespace

TEST(Cdi, OneDevicePerRdmaDeviceWithItsNodesEnvAndHooks)
{
    auto spec = spec_of(
        {{"mlx5_1", "uverbs1", {"umad1", "issm1", "umad2", "issm2"}}, {"siw0", std::nullopt, {}}});
    EXPECT_EQ(spec["cdiVersion"], "0.5.0");
    EXPECT_EQ(spec["kind"], "rdma.netns/device");
    ASSERT_EQ(spec["devices"].size(), 3u);

    const auto& mlx = spec["devices"][0];
    EXPECT_EQ(mlx["name"], "mlx5_1");
    EXPECT_EQ(mlx["containerEdits"]["deviceNodes"],
              paths({"uverbs1", "umad1", "issm1", "umad2", "issm2", "rdma_cm"}));
    EXPECT_EQ(mlx["containerEdits"]["env"], nlohmann::json({"RDMA_NETNS_DEVICES=mlx5_1"}));
    EXPECT_EQ(mlx["containerEdits"]["hooks"], nlohmann::json::parse(R"([
        {"hookName":"createRuntime","path":"/usr/bin/rdma-netns-hook",
         "args":["rdma-netns-hook","createRuntime","--device","mlx5_1","--verbs-node","mlx5_1=uverbs1"]},
        {"hookName":"poststop","path":"/usr/bin/rdma-netns-hook",
         "args":["rdma-netns-hook","poststop"]}])"));

    const auto& siw = spec["devices"][1];
    EXPECT_EQ(siw["containerEdits"]["deviceNodes"], paths({"rdma_cm"}));
    EXPECT_EQ(siw["containerEdits"]["env"], nlohmann::json({"RDMA_NETNS_DEVICES=siw0"}));
    EXPECT_EQ(siw["containerEdits"]["hooks"][0]["args"],
              nlohmann::json::parse(R"(["rdma-netns-hook","createRuntime","--device","siw0"])"));
}

TEST(Cdi, AllStandsForEveryDeviceMovedOneByOne)
{
    auto spec = spec_of({{"rxe0", "uverbs0", {"umad0", "issm0"}},
                         {"rxe1", "uverbs1", {"umad1", "issm1"}},
                         {"siw0", std::nullopt, {}}});
    ASSERT_EQ(spec["devices"].size(), 4u);
    const auto& all = spec["devices"][3];
    EXPECT_EQ(all["name"], "all");
    EXPECT_EQ(all["containerEdits"]["deviceNodes"],
              paths({"uverbs0", "umad0", "issm0", "uverbs1", "umad1", "issm1", "rdma_cm"}));
    EXPECT_EQ(all["containerEdits"]["env"], nlohmann::json({"RDMA_NETNS_DEVICES=rxe0,rxe1,siw0"}));
    EXPECT_EQ(all["containerEdits"]["hooks"], nlohmann::json::parse(R"([
        {"hookName":"createRuntime","path":"/usr/bin/rdma-netns-hook",
         "args":["rdma-netns-hook","createRuntime","--device","rxe0","--verbs-node","rxe0=uverbs0"]},
        {"hookName":"createRuntime","path":"/usr/bin/rdma-netns-hook",
         "args":["rdma-netns-hook","createRuntime","--device","rxe1","--verbs-node","rxe1=uverbs1"]},
        {"hookName":"createRuntime","path":"/usr/bin/rdma-netns-hook",
         "args":["rdma-netns-hook","createRuntime","--device","siw0"]},
        {"hookName":"poststop","path":"/usr/bin/rdma-netns-hook",
         "args":["rdma-netns-hook","poststop"]}])"));
}

TEST(Cdi, NoDevicesIsAValidEmptySpecWithoutAll)
{
    auto spec = spec_of({});
    EXPECT_TRUE(spec["devices"].is_array());
    EXPECT_TRUE(spec["devices"].empty());
}

TEST(Cdi, ADeviceNamedAllIsRefused)
{
    EXPECT_EQ(error_of([] {
                  rnh::cdi_spec({{"rxe0", "uverbs0", {}}, {"all", "uverbs1", {}}}, hook);
              }),
              "an RDMA device is named \"all\", the name of the CDI device that stands for every "
              "device; rename it, e.g. rdma dev set all name all0, and generate the spec again");
}

TEST(Cdi, MadNodesFromSysfsPortByPort)
{
    TempDir sysfs;
    const auto mad = sysfs.path / "class/infiniband_mad";
    std::filesystem::create_directories(mad);
    auto node = [&](const std::string& name, const std::string& ibdev) {
        std::filesystem::create_directory(mad / name);
        if (!ibdev.empty())
            std::ofstream(mad / name / "ibdev") << ibdev << "\n";
    };
    for (const auto* n : {"umad10", "issm10", "umad2", "issm2"})
        node(n, "mlx5_0");
    node("umad0", "rxe0");
    node("issm0", "rxe0");
    node("umad3", "");       // the device went away while we looked
    node("umadx", "rxe9");   // not a node name
    node("uverbs4", "rxe9"); // not a MAD node
    std::ofstream(mad / "abi_version") << "5\n";
    auto nodes = rnh::read_mad_nodes(sysfs.path.string());
    EXPECT_EQ(nodes, (std::map<std::string, std::vector<std::string>>{
                         {"mlx5_0", {"umad2", "issm2", "umad10", "issm10"}},
                         {"rxe0", {"umad0", "issm0"}}}));
    EXPECT_TRUE(rnh::read_mad_nodes((sysfs.path / "none").string()).empty());
}

TEST(Cdi, TheFileIsRewrittenOnlyWhenItsTextChanges)
{
    TempDir dir;
    const auto path = (dir.path / "rdma-netns.json").string();
    auto inode = [&] {
        struct stat st {};
        EXPECT_EQ(::stat(path.c_str(), &st), 0);
        return st.st_ino;
    };
    EXPECT_TRUE(rnh::write_cdi_spec(path, "{\"a\": 1}\n"));
    EXPECT_EQ(dir.read("rdma-netns.json"), "{\"a\": 1}\n");
    EXPECT_EQ(std::filesystem::status(path).permissions(), std::filesystem::perms(0644));
    const auto first = inode();
    const auto mtime = std::filesystem::last_write_time(path);

    EXPECT_FALSE(rnh::write_cdi_spec(path, "{\"a\": 1}\n"));
    EXPECT_EQ(inode(), first);
    EXPECT_EQ(std::filesystem::last_write_time(path), mtime);

    // a longer and a shorter text: both replace the file
    EXPECT_TRUE(rnh::write_cdi_spec(path, "{\"a\": 1}\n\n"));
    EXPECT_NE(inode(), first);
    EXPECT_TRUE(rnh::write_cdi_spec(path, "{}\n"));
    EXPECT_EQ(dir.read("rdma-netns.json"), "{}\n");
}
