// SPDX-License-Identifier: Apache-2.0
#include "hook/cdi.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

TEST(Cdi, OneDevicePerRdmaDeviceWithItsNodesAndHooks)
{
    auto spec = nlohmann::json::parse(
        rnh::cdi_spec({{"mlx5_1", "uverbs1"}, {"siw0", std::nullopt}}, "/usr/bin/rdma-netns-hook"));
    EXPECT_EQ(spec["cdiVersion"], "0.5.0");
    EXPECT_EQ(spec["kind"], "rdma.netns/device");
    ASSERT_EQ(spec["devices"].size(), 2u);

    const auto& mlx = spec["devices"][0];
    EXPECT_EQ(mlx["name"], "mlx5_1");
    EXPECT_EQ(mlx["containerEdits"]["deviceNodes"],
              nlohmann::json::parse(R"([{"path":"/dev/infiniband/uverbs1"},
                                        {"path":"/dev/infiniband/rdma_cm"}])"));
    EXPECT_EQ(mlx["containerEdits"]["hooks"], nlohmann::json::parse(R"([
        {"hookName":"createRuntime","path":"/usr/bin/rdma-netns-hook",
         "args":["rdma-netns-hook","createRuntime","--device","mlx5_1","--verbs-node","mlx5_1=uverbs1"]},
        {"hookName":"poststop","path":"/usr/bin/rdma-netns-hook",
         "args":["rdma-netns-hook","poststop"]}])"));

    const auto& siw = spec["devices"][1];
    EXPECT_EQ(siw["containerEdits"]["deviceNodes"],
              nlohmann::json::parse(R"([{"path":"/dev/infiniband/rdma_cm"}])"));
    EXPECT_EQ(siw["containerEdits"]["hooks"][0]["args"],
              nlohmann::json::parse(R"(["rdma-netns-hook","createRuntime","--device","siw0"])"));
}

TEST(Cdi, NoDevicesIsAValidEmptySpec)
{
    auto spec = nlohmann::json::parse(rnh::cdi_spec({}, "/x"));
    EXPECT_TRUE(spec["devices"].is_array());
    EXPECT_TRUE(spec["devices"].empty());
}
