// SPDX-License-Identifier: Apache-2.0
// What the plugin prints: ADD's result, VERSION's answer and the error object, per version.
#include "base/json.hpp"
#include "cni/lookup.hpp"
#include "cni/result.hpp"
#include "tests/support/error_of.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cerrno>

using rnh::cni::Code;

namespace {

nlohmann::json json_of(const std::string& text)
{
    EXPECT_EQ(text.back(), '\n');
    return nlohmann::json::parse(text);
}

rnh::cni::NetConf conf(const std::string& json)
{
    return rnh::cni::parse_netconf(rnh::parse_json(json, "t"));
}

} // namespace

TEST(CniResult, AloneAnEmptyResultOfTheRequestedVersion)
{
    for (const char* v : {"0.3.1", "0.4.0", "1.0.0", "1.1.0"}) {
        auto result = json_of(rnh::cni::add_result(conf(
            std::string(R"({"cniVersion": ")") + v + R"(", "name": "n", "devices": ["rxe0"]})")));
        EXPECT_EQ(result, (nlohmann::json{{"cniVersion", v}, {"dns", nlohmann::json::object()}}));
    }
}

TEST(CniResult, InAChainThePreviousResultUnchanged)
{
    // 0.4.0's IP entries still carry "version"; whatever the runtime sent comes back
    const std::string prev = R"({"cniVersion": "0.4.0", "interfaces": [{"name": "net1",
        "sandbox": "/var/run/netns/p"}], "ips": [{"version": "4", "address": "10.1.0.5/24",
        "interface": 0}], "dns": {"nameservers": ["10.0.0.10"]}})";
    auto result = json_of(rnh::cni::add_result(
        conf(R"({"cniVersion": "0.4.0", "name": "n", "prevResult": )" + prev + "}")));
    EXPECT_EQ(result, nlohmann::json::parse(prev));
    const std::string prev100 = R"({"cniVersion": "1.0.0", "interfaces": [{"name": "net1",
        "mac": "52:54:00:12:34:57", "sandbox": "/p"}], "ips": [{"address": "10.1.0.5/24",
        "interface": 0}]})";
    EXPECT_EQ(json_of(rnh::cni::add_result(
                  conf(R"({"cniVersion": "1.0.0", "name": "n", "prevResult": )" + prev100 + "}"))),
              nlohmann::json::parse(prev100));
}

TEST(CniResult, VersionListsEverySupportedVersion)
{
    for (const char* v : {"0.3.1", "0.4.0", "1.0.0", "1.1.0"})
        EXPECT_EQ(json_of(rnh::cni::version_result(v)),
                  (nlohmann::json{{"cniVersion", v},
                                  {"supportedVersions", {"0.3.1", "0.4.0", "1.0.0", "1.1.0"}}}));
}

TEST(CniResult, ErrorObjectWithCodeMessageAndRemedy)
{
    auto e = json_of(rnh::cni::error_result(
        "0.4.0", Code::failed,
        rnh::Error("moving RDMA device rxe0 into the container's network namespace", EBUSY,
                   "run `rdma-netns-hook recover`")));
    EXPECT_EQ(e, (nlohmann::json{{"cniVersion", "0.4.0"},
                                 {"code", 100},
                                 {"msg",
                                  "moving RDMA device rxe0 into the container's network namespace: "
                                  "Device or resource busy"},
                                 {"details", "run `rdma-netns-hook recover`"}}));
    auto plain = json_of(rnh::cni::error_result("1.1.0", Code::invalid_config, rnh::Error("bad")));
    EXPECT_EQ(plain, (nlohmann::json{{"cniVersion", "1.1.0"}, {"code", 7}, {"msg", "bad"}}));
    EXPECT_EQ(static_cast<int>(Code::incompatible_version), 1);
    EXPECT_EQ(static_cast<int>(Code::invalid_env), 4);
    EXPECT_EQ(static_cast<int>(Code::decoding), 6);
    EXPECT_EQ(static_cast<int>(Code::not_available), 50);
}

TEST(CniLookup, AuxiliaryDeviceToItsRdmaDevices)
{
    TempDir sys;
    std::filesystem::create_directories(sys.path /
                                        "bus/auxiliary/devices/mlx5_core.sf.4/infiniband/mlx5_3");
    std::filesystem::create_directories(sys.path / "bus/auxiliary/devices/mlx5_core.eth.0");
    EXPECT_EQ(rnh::cni::aux_rdma_devices(sys.path.string(), "mlx5_core.sf.4"),
              std::vector<std::string>{"mlx5_3"});
    EXPECT_EQ(error_of([&] { rnh::cni::aux_rdma_devices(sys.path.string(), "mlx5_core.sf.9"); }),
              "no auxiliary device mlx5_core.sf.9 on this host (\"deviceID\"); check it with `ls "
              "/sys/bus/auxiliary/devices`");
    EXPECT_EQ(error_of([&] {
                  rnh::cni::aux_rdma_devices(sys.path.string(), "mlx5_core.eth.0");
              }).rfind("auxiliary device mlx5_core.eth.0 has no RDMA device in the host", 0),
              0u);
}

// JSON strings must be UTF-8: nlohmann::json throws on anything else, which
// aborted the plugin (exit 134) when a message quoted a bad CNI_* value.
TEST(CniResult, ErrorObjectEscapesBytesThatAreNotPrintableUtf8)
{
    auto e = json_of(rnh::cni::error_result("1.1.0", Code::invalid_env,
                                            rnh::Error("CNI_IFNAME \"\xff\x1b[2J\"", 0, "hint\n")));
    EXPECT_EQ(e["msg"], "CNI_IFNAME \"\\xff\\x1b[2J\"");
    EXPECT_EQ(e["details"], "hint\\x0a");
}
