// SPDX-License-Identifier: Apache-2.0
// The network configuration: rdma-cni's keys, the lists, prevResult, GC's list.
#include "base/json.hpp"
#include "cni/lookup.hpp"
#include "cni/netconf.hpp"
#include "tests/support/error_of.hpp"

#include <gtest/gtest.h>

using rnh::cni::NetConf;

namespace {

NetConf conf_of(const std::string& json)
{
    return rnh::cni::parse_netconf(rnh::parse_json(json, "test"));
}

std::string conf_error(const std::string& json)
{
    return error_of([&] { conf_of(json); });
}

using Strings = std::vector<std::string>;

} // namespace

TEST(CniNetConf, RdmaCniConfigurationMeansTheSame)
{
    // rdma-cni's own example, with only the type changed, as Multus passes it
    auto conf = conf_of(R"({"cniVersion": "0.3.1", "name": "sriov-rdma", "type": "rdma-netns",
                            "deviceID": "0000:3B:00.2", "args": {"cni": {"debug": true}},
                            "ipam": {"type": "whereabouts"}, "someFutureKey": [1, 2]})");
    EXPECT_EQ(conf.cni_version, "0.3.1");
    EXPECT_EQ(conf.name, "sriov-rdma");
    EXPECT_EQ(conf.request.pci, Strings{"0000:3b:00.2"});
    EXPECT_EQ(conf.allocation, "0000:3b:00.2");
    EXPECT_TRUE(conf.request.devices.empty());
    EXPECT_TRUE(conf.debug);
    EXPECT_FALSE(conf.prev_result);
    EXPECT_TRUE(conf.has_request());
}

TEST(CniNetConf, RuntimeConfigDeviceIdAndAuxiliaryDevices)
{
    auto conf = conf_of(R"({"cniVersion": "1.0.0", "name": "n",
                            "runtimeConfig": {"deviceID": "3b:00.3"}})");
    EXPECT_EQ(conf.request.pci, Strings{"0000:3b:00.3"});
    auto aux = conf_of(R"({"cniVersion": "1.0.0", "name": "n", "deviceID": "mlx5_core.sf.4"})");
    EXPECT_EQ(aux.aux_device, "mlx5_core.sf.4");
    EXPECT_TRUE(aux.request.empty());
    EXPECT_TRUE(aux.has_request());
    EXPECT_NO_THROW(conf_of(R"({"cniVersion": "1.0.0", "name": "n", "deviceID": "0000:3b:00.3",
                                "runtimeConfig": {"deviceID": "0000:3b:00.3"}})"));
    EXPECT_EQ(
        conf_error(R"({"cniVersion": "1.0.0", "name": "n", "deviceID": "0000:3b:00.3",
                             "runtimeConfig": {"deviceID": "0000:3b:00.4"}})"),
        "\"deviceID\" 0000:3b:00.3 and \"runtimeConfig.deviceID\" 0000:3b:00.4 disagree; give "
        "one device, in either key");
    EXPECT_EQ(conf_error(R"({"cniVersion": "1.0.0", "name": "n", "deviceID": "mlx5 0"})")
                  .rfind("\"deviceID\" \"mlx5 0\" is neither a PCI address nor an auxiliary", 0),
              0u);
}

TEST(CniNetConf, ListsAsArraysOrAnnotationStrings)
{
    auto conf = conf_of(R"({"cniVersion": "1.1.0", "name": "n", "devices": ["rxe0", "rxe1", "rxe0"],
                            "netdevs": "eth0, eth1", "pci": ["0000:00:03.0"]})");
    EXPECT_EQ(conf.request.devices, (Strings{"rxe0", "rxe1"}));
    EXPECT_EQ(conf.request.netdevs, (Strings{"eth0", "eth1"}));
    EXPECT_EQ(conf.request.pci, Strings{"0000:00:03.0"});
    EXPECT_EQ(conf.parts, (Strings{"devices", "netdevs", "pci"}));
    EXPECT_EQ(conf_of(R"({"cniVersion": "1.1.0", "name": "n", "devices": []})").parts, Strings{});
    EXPECT_EQ(conf_of(R"({"cniVersion": "1.1.0", "name": "n", "runtimeConfig":
                          {"deviceID": "3b:00.3"}})")
                  .parts,
              Strings{"deviceID"});
    EXPECT_EQ(conf_error(R"({"cniVersion": "1.1.0", "name": "n", "devices": [1]})"),
              "\"devices\" of the network configuration must be an array of strings, not 1");
    EXPECT_EQ(conf_error(R"({"cniVersion": "1.1.0", "name": "n", "pci": ["3b"]})"),
              "\"pci\" of the network configuration: \"3b\" is not a PCI address; write "
              "domain:bus:device.function in hex, such as 0000:3b:00.1");
}

TEST(CniNetConf, DeviceIdAndListsMustAgree)
{
    auto both = conf_of(R"({"cniVersion": "1.1.0", "name": "n", "deviceID": "0000:00:03.0",
                            "pci": ["0000:00:03.0"], "devices": ["rxn0"]})");
    EXPECT_EQ(both.request.pci, Strings{"0000:00:03.0"});
    EXPECT_EQ(both.allocation, "0000:00:03.0");
    // a list may narrow the allocation, never widen it
    EXPECT_EQ(conf_error(R"({"cniVersion": "1.1.0", "name": "n", "deviceID": "0000:00:03.0",
                             "pci": ["0000:00:03.0", "0000:00:04.0"]})"),
              "\"pci\" of the network configuration names 0000:00:04.0, outside the device "
              "plugin's allocation (\"deviceID\" 0000:00:03.0); a list may only narrow "
              "\"deviceID\", never widen it");
    EXPECT_EQ(conf_error(R"({"cniVersion": "1.1.0", "name": "n", "deviceID": "0000:00:03.0",
                             "devices": ["rxe1"]})"),
              "\"deviceID\" 0000:00:03.0 is not in the \"pci\" list of the network configuration, "
              "so the two disagree; name the device once: in \"deviceID\", or in the lists");
    EXPECT_EQ(conf_error(R"({"cniVersion": "1.1.0", "name": "n", "deviceID": "mlx5_core.sf.4",
                             "devices": ["mlx5_0"]})")
                  .rfind("\"deviceID\" mlx5_core.sf.4 (an auxiliary device) and the lists", 0),
              0u);
}

TEST(CniNetConf, VersionsThisPluginSpeaks)
{
    for (const char* v : {"0.3.1", "0.4.0", "1.0.0", "1.1.0"})
        EXPECT_EQ(rnh::cni::check_version(rnh::parse_json(
                      std::string(R"({"cniVersion": ")") + v + R"(", "name": "n"})", "t")),
                  v);
    EXPECT_EQ(error_of([] {
                  rnh::cni::check_version(rnh::parse_json(R"({"cniVersion": "0.2.0"})", "t"));
              }),
              "cniVersion \"0.2.0\" is not supported by rdma-netns; use one of 0.3.1, 0.4.0, "
              "1.0.0, 1.1.0");
    EXPECT_EQ(error_of([] { rnh::cni::check_version(rnh::parse_json(R"({"name": "n"})", "t")); }),
              "the network configuration has no \"cniVersion\"");
    EXPECT_EQ(error_of([] { rnh::cni::check_version(rnh::parse_json("[]", "t")); }),
              "the network configuration is not a JSON object");
    EXPECT_EQ(conf_error(R"({"cniVersion": "1.1.0"})"),
              "the network configuration has no \"name\"");
}

TEST(CniNetConf, PrevResultGivesTheOneInterfaceInTheSandbox)
{
    auto conf = conf_of(R"({"cniVersion": "1.0.0", "name": "n", "prevResult": {
        "cniVersion": "1.0.0",
        "interfaces": [{"name": "eth0", "mac": "52:54:00:12:34:56"},
                       {"name": "net1", "mac": "52:54:00:12:34:57", "sandbox": "/var/run/netns/p"}],
        "ips": [{"address": "10.1.0.5/24", "interface": 1}]}})");
    EXPECT_FALSE(conf.has_request());
    ASSERT_TRUE(conf.prev_result);
    auto iface = rnh::cni::sandbox_interface(*conf.prev_result);
    EXPECT_EQ(iface.name, "net1");
    EXPECT_EQ(iface.mac, "52:54:00:12:34:57");
    // host-device's result for 0.3.1 may give no MAC
    EXPECT_EQ(rnh::cni::sandbox_interface(
                  rnh::parse_json(
                      R"({"interfaces": [{"name": "eth0", "sandbox": "/run/netns/x"}]})", "t"))
                  .mac,
              "");
    EXPECT_EQ(error_of([] {
                  rnh::cni::sandbox_interface(rnh::parse_json(R"({"interfaces": [
        {"name": "a", "sandbox": "/p"}, {"name": "b", "sandbox": "/p"}]})",
                                                              "t"));
              }),
              "the previous plugin's result (prevResult) has 2 interfaces in the sandbox, so the "
              "RDMA device cannot be derived from it; name the device in \"deviceID\", "
              "\"devices\", \"netdevs\" or \"pci\"");
    EXPECT_NE(error_of([] {
                  rnh::cni::sandbox_interface(
                      rnh::parse_json(R"({"interfaces": [{"name": "eth0"}]})", "t"));
              }),
              "no error");
    EXPECT_EQ(conf_error(R"({"cniVersion": "1.0.0", "name": "n", "prevResult": []})"),
              "\"prevResult\" of the network configuration must be an object");
}

TEST(CniNetConf, GcValidAttachments)
{
    auto conf = conf_of(R"({"cniVersion": "1.1.0", "name": "n", "cni.dev/valid-attachments": [
        {"containerID": "a1", "ifname": "net1"}, {"containerID": "b2", "ifname": "net2"}]})");
    ASSERT_TRUE(conf.valid_attachments);
    EXPECT_EQ(*conf.valid_attachments,
              (std::vector<rnh::cni::ValidAttachment>{{"a1", "net1"}, {"b2", "net2"}}));
    EXPECT_FALSE(conf_of(R"({"cniVersion": "1.1.0", "name": "n"})").valid_attachments);
    EXPECT_TRUE(conf_of(R"({"cniVersion": "1.1.0", "name": "n", "cni.dev/valid-attachments": []})")
                    .valid_attachments->empty());
    EXPECT_NE(
        conf_error(
            R"({"cniVersion": "1.1.0", "name": "n", "cni.dev/valid-attachments": [{"ifname": "x"}]})"),
        "no error");
}

TEST(CniNetConf, ConfigIdentityIsTheSameForAddAndGcOfOneNetworkOnly)
{
    const auto add = conf_of(R"({"cniVersion": "1.0.0", "name": "n", "type": "rdma-netns",
        "devices": ["rxe0"], "deviceID": "0000:00:03.0", "pci": ["0000:00:03.0"],
        "args": {"cni": {"debug": true}}, "runtimeConfig": {"deviceID": "0000:00:03.0"},
        "prevResult": {"interfaces": []}})");
    const auto gc = conf_of(R"({"type": "rdma-netns", "pci": ["0000:00:03.0"], "name": "n",
        "cniVersion": "1.1.0", "devices": ["rxe0"],
        "cni.dev/valid-attachments": [{"containerID": "a1", "ifname": "net1"}]})");
    EXPECT_EQ(add.config_id.size(), 16u);
    EXPECT_EQ(add.config_id, gc.config_id);
    // another network of the same name
    const auto other = conf_of(R"({"cniVersion": "1.1.0", "name": "n", "type": "rdma-netns",
        "devices": ["rxe1"], "pci": ["0000:00:03.0"]})");
    EXPECT_NE(other.config_id, add.config_id);
}

TEST(CniNetConf, PrevResultsInterfaceMustBeInTheSandboxByNameAndMac)
{
    const std::vector<rnh::nl::Link> links = {
        {1, "lo", 65536, true, "", "", "", "00:00:00:00:00:00"},
        {5, "net1", 1500, true, "", "", "", "52:54:00:ab:cd:ef"}};
    using rnh::cni::require_in_sandbox;
    EXPECT_EQ(error_of([&] {
                  require_in_sandbox({"net1", "52:54:00:ab:cd:ef"}, links, "/n");
              }),
              "no error");
    // a MAC in capitals is the same MAC; none given: the name alone
    EXPECT_EQ(error_of([&] {
                  require_in_sandbox({"net1", "52:54:00:AB:CD:EF"}, links, "/n");
              }),
              "no error");
    EXPECT_EQ(error_of([&] { require_in_sandbox({"net1", ""}, links, "/n"); }), "no error");
    EXPECT_EQ(error_of([&] {
                  require_in_sandbox({"eth0", ""}, links, "/run/netns/b");
              }),
              "the interface eth0 of prevResult is not in CNI_NETNS /run/netns/b, so no RDMA "
              "device is derived from it; the previous plugin's result (prevResult) must name an "
              "interface it put into the pod; or name the device in \"deviceID\"");
    EXPECT_EQ(error_of([&] {
                  require_in_sandbox({"net1", "52:54:00:ab:cd:e0"}, links, "/n");
              }),
              "the interface net1 in CNI_NETNS /n has MAC 52:54:00:ab:cd:ef, not "
              "52:54:00:ab:cd:e0 as prevResult says, so no RDMA device is derived from it; the "
              "previous plugin's result (prevResult) must name an interface it put into the pod; "
              "or name the device in \"deviceID\"");
}

TEST(CniNetConf, ArraysHaveTheCapOfTheAnnotationsAndAreMergedQuickly)
{
    auto array = [](int n, const char* prefix) {
        std::string s = "[";
        for (int i = 0; i < n; ++i)
            s += std::string(i == 0 ? "" : ",") + "\"" + prefix + std::to_string(i) + "\"";
        return s + "]";
    };
    auto devices = [&](int n) {
        return R"({"cniVersion": "1.1.0", "name": "n", "devices": )" + array(n, "d") + "}";
    };
    EXPECT_EQ(conf_of(devices(1024)).request.devices.size(), 1024U);
    EXPECT_EQ(conf_error(devices(1025)),
              "\"devices\" of the network configuration lists more than 1024 items; request only "
              "the devices this container needs");
    // items with commas count by what they name, not by array element
    std::string commas = "e0";
    for (int i = 1; i < 1100; ++i)
        commas += ",e" + std::to_string(i);
    EXPECT_NE(conf_error(R"({"cniVersion": "1.1.0", "name": "n", "netdevs": [")" + commas + "\"]}")
                  .find("more than 1024 items"),
              std::string::npos);
    EXPECT_EQ(conf_error(R"({"cniVersion": "1.1.0", "name": "n", "devices": ["a", ""]})"),
              "\"devices\" of the network configuration has an empty item in \"a,\"; write a "
              "comma-separated list such as mlx5_0,mlx5_1");
    // a 1 MiB array took seconds to merge before it was refused (vm.failures prints the time)
    std::string big = R"({"cniVersion": "1.1.0", "name": "n", "pci": [)";
    while (big.size() < (1 << 20) - 20)
        big += "\"0000:3b:00.1\",";
    big += "\"0000:3b:00.1\"]}";
    EXPECT_NE(conf_error(big).find("more than 1024 items"), std::string::npos);
}

TEST(CniNetConf, NamesAreBoundedAndPrintable)
{
    auto named = [](const std::string& name) {
        return R"({"cniVersion": "1.1.0", "name": ")" + name + R"(", "deviceID": "0000:3b:00.2"})";
    };
    EXPECT_EQ(conf_of(named(std::string(253, 'n'))).name.size(), 253U);
    EXPECT_EQ(conf_of(named("r\xc3\xa9seau")).name, "r\xc3\xa9seau");
    EXPECT_EQ(conf_error(named(std::string(200000, 'n'))),
              "\"name\" of the network configuration (\"" + std::string(64, 'n') +
                  "...(200000 bytes)\", 200000 bytes) is not a valid network name; names are 1 "
                  "to 253 bytes of printable UTF-8, without control characters");
    EXPECT_NE(conf_error(named(std::string(254, 'n'))).find("254 bytes) is not a valid network"),
              std::string::npos);
    EXPECT_NE(conf_error(named("a\\u001b[2Jb")).find("\"a\\x1b[2Jb\", 6 bytes) is not a valid"),
              std::string::npos);
    EXPECT_NE(conf_error(named("")).find("is not a valid network name"), std::string::npos);
    EXPECT_NE(conf_error(R"({"cniVersion": "1.1.0", "name": "n", "deviceID": ")" +
                         std::string(65, 'a') + "\"}")
                  .find("is neither a PCI address nor an auxiliary device name"),
              std::string::npos);
    EXPECT_NE(conf_error(R"({"cniVersion": "1.1.0", "name": "n", "devices": [")" +
                         std::string(65, 'a') + "\"]}")
                  .find("\"" + std::string(64, 'a') + "...(65 bytes)\" is not a valid RDMA device"),
              std::string::npos);
}

TEST(CniNetConf, PodAnnotationsThroughTheCapability)
{
    // as containerd passes them to a plugin that declares the capability
    auto conf = conf_of(R"({"cniVersion": "1.0.0", "name": "n", "runtimeConfig":
        {"io.kubernetes.cri.pod-annotations": {"rdma.netns/devices": "mlx5_1, mlx5_0",
         "rdma.netns/with-netdevs": "false", "rdma.netns/memlock": "64M",
         "kubernetes.io/config.seen": "2026-12-06T01:00:00Z"}}})");
    EXPECT_TRUE(conf.by_pod_annotations);
    EXPECT_EQ(conf.parts, Strings{"podAnnotations"});
    EXPECT_EQ(conf.request.devices, (Strings{"mlx5_1", "mlx5_0"}));
    EXPECT_EQ(conf.request.with_netdevs, false);
    EXPECT_FALSE(conf.request.memlock); // a pod's netns has no process: the runtime route's
    EXPECT_TRUE(conf.has_request());
    auto pci = conf_of(R"({"cniVersion": "1.0.0", "name": "n", "runtimeConfig":
        {"io.kubernetes.cri.pod-annotations": {"rdma.netns/pci": "3b:00.2",
                                               "rdma.netns/netdevs": "eth1"}}})");
    EXPECT_EQ(pci.request.pci, Strings{"0000:3b:00.2"});
    EXPECT_EQ(pci.request.netdevs, Strings{"eth1"});
    // with-netdevs alone goes with what the configuration asks for
    auto with = conf_of(R"({"cniVersion": "1.0.0", "name": "n", "devices": ["mlx5_0"],
        "runtimeConfig": {"io.kubernetes.cri.pod-annotations": {"rdma.netns/with-netdevs": "true"}}})");
    EXPECT_EQ(with.request.devices, Strings{"mlx5_0"});
    EXPECT_EQ(with.request.with_netdevs, true);
    EXPECT_EQ(with.parts, (Strings{"devices", "podAnnotations"}));
    // a network declaring the capability takes its request from the pod: one
    // without annotations (containerd gives null) or without rdma.netns/ ones asks nothing
    for (const auto* nothing : {R"({"cniVersion": "1.0.0", "name": "n",
            "runtimeConfig": {"io.kubernetes.cri.pod-annotations": null}})",
                                R"({"cniVersion": "1.0.0", "name": "n",
            "runtimeConfig": {"io.kubernetes.cri.pod-annotations": {"app": "x"}}})"}) {
        auto asks = conf_of(nothing);
        EXPECT_TRUE(asks.takes_pod_annotations);
        EXPECT_FALSE(asks.by_pod_annotations);
        EXPECT_FALSE(asks.has_request());
        EXPECT_TRUE(asks.parts.empty());
    }
    EXPECT_TRUE(conf.takes_pod_annotations);
    EXPECT_FALSE(conf_of(R"({"cniVersion": "1.0.0", "name": "n"})").takes_pod_annotations);
    // a pod without rdma.netns/ annotations asks nothing
    for (const auto* none :
         {R"({"cniVersion": "1.0.0", "name": "n", "deviceID": "0000:3b:00.2",
                                 "runtimeConfig": {"io.kubernetes.cri.pod-annotations":
                                                   {"app": "x", "rdma.netns/memlock": "1G"}}})",
          R"({"cniVersion": "1.0.0", "name": "n", "deviceID": "0000:3b:00.2"})"}) {
        auto plain = conf_of(none);
        EXPECT_FALSE(plain.by_pod_annotations);
        EXPECT_EQ(plain.parts, Strings{"deviceID"});
    }
}

TEST(CniNetConf, PodAnnotationMistakesAreNamed)
{
    EXPECT_EQ(conf_error(R"({"cniVersion": "1.0.0", "name": "n", "runtimeConfig":
        {"io.kubernetes.cri.pod-annotations": {"rdma.netns/devices": "mlx5_0,,"}}})"),
              "the pod's annotations: annotation rdma.netns/devices has an empty item in "
              "\"mlx5_0,,\"; write a comma-separated list such as mlx5_0,mlx5_1");
    EXPECT_EQ(conf_error(R"({"cniVersion": "1.0.0", "name": "n", "runtimeConfig":
        {"io.kubernetes.cri.pod-annotations": {"rdma.netns/with-netdevs": "yes"}}})"),
              "the pod's annotations: annotation rdma.netns/with-netdevs is \"yes\"; write true "
              "or false");
    EXPECT_EQ(conf_error(R"({"cniVersion": "1.0.0", "name": "n", "runtimeConfig":
        {"io.kubernetes.cri.pod-annotations": ["rdma.netns/devices"]}})"),
              "\"runtimeConfig.io.kubernetes.cri.pod-annotations\" of the network configuration: "
              "\"annotations\" must be an object, not array");
    // devices named in two places: neither wins
    EXPECT_EQ(conf_error(R"({"cniVersion": "1.0.0", "name": "n", "deviceID": "0000:3b:00.2",
        "runtimeConfig": {"io.kubernetes.cri.pod-annotations": {"rdma.netns/devices": "mlx5_3"}}})"),
              "both the network configuration (deviceID) and the pod's annotations name devices; "
              "name them in one place: remove the rdma.netns/ annotations of the pod, or the lists "
              "of the configuration");
    EXPECT_NE(conf_error(R"({"cniVersion": "1.0.0", "name": "n", "devices": "mlx5_0",
        "runtimeConfig": {"io.kubernetes.cri.pod-annotations": {"rdma.netns/pci": "3b:00.2"}}})"),
              "no error");
}
