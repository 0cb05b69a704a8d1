// SPDX-License-Identifier: Apache-2.0
// decide(): every rule of a start, in one place, on what a look showed; the
// same for the hook's containers and the CNI plugin's attachments.
#include "hook/config/config.hpp"
#include "hook/plan/decide.hpp"
#include "hook/plan/device_list.hpp"
#include "tests/support/error_of.hpp"

#include <gtest/gtest.h>

namespace {

using rnh::nl::Device;
using rnh::nl::Link;
using Names = std::vector<std::string>;

rnh::Config config_of(const std::string& json)
{
    return rnh::parse_config(json, "c.json");
}

// rxn0 on the NIC eth0, rxn1 on eth1, rxe0 in the target already.
rnh::Snapshot look()
{
    rnh::Snapshot s;
    s.host_devices = {{1, "rxn0"}, {2, "rxn1"}, {4, "mlx5_0"}};
    s.host_ports = {{1, "rxn0", "eth0"}, {2, "rxn1", "eth1"}, {4, "mlx5_0", ""}};
    s.target_devices = {{3, "rxe0"}};
    s.pci_addresses = {{"mlx5_0", "0000:af:00.0"}};
    s.links.host_links = {
        Link{2, "eth0", 1500, true, "", "pci/0000:00:03.0", "52:54:00:00:00:02", ""},
        Link{3, "eth1", 1500, true, "", "pci/0000:00:04.0", "52:54:00:00:00:03", ""}};
    s.links.default_route_links = {3};
    return s;
}

rnh::Container asking(const Names& devices, bool cni = false)
{
    rnh::Container c;
    c.id = cni ? "pod1@net1" : "c1";
    c.request.devices = devices;
    if (cni) {
        c.netns_path = "/run/netns/pod1";
        c.cni = rnh::CniAttachment{"pod1", "net1", "rdma", "", ""};
    } else {
        c.pid = 42;
    }
    return c;
}

rnh::Decision decide(const rnh::Config& config, const rnh::Container& c,
                     const std::vector<Device>& held = {})
{
    return rnh::decide(config, c, look(), held);
}

} // namespace

TEST(Decide, ThePlanAndNothingElseByDefault)
{
    const auto d = decide(rnh::Config{}, asking({"rxn0", "rxe0"}));
    EXPECT_EQ(rnh::names_of(d.plan.to_move), Names{"rxn0"});
    EXPECT_EQ(rnh::names_of(d.plan.already_there), Names{"rxe0"});
    EXPECT_FALSE(d.with_netdevs);
    EXPECT_TRUE(d.netdevs.empty());
    EXPECT_EQ(d.limits, rnh::Limits{});
}

TEST(Decide, RequestKeysComeFirst)
{
    auto config = config_of(R"({"policy":{"request_annotations":["devices"],"deny":["rxn0"]}})");
    auto c = asking({"rxn0"});
    c.request.pci = {"0000:99:00.0"}; // would not resolve either
    EXPECT_EQ(error_of([&] { decide(config, c); }),
              "requests by annotation rdma.netns/pci are not honoured on this host; the policy "
              "in c.json honours: rdma.netns/devices");
}

TEST(Decide, AllowAndDenyByNameOrPciOfTheDevicesToMove)
{
    auto config = config_of(R"({"policy":{"deny":["0000:af:*"]}})");
    EXPECT_EQ(error_of([&] { decide(config, asking({"mlx5_0"})); }),
              "RDMA device mlx5_0 (PCI 0000:af:00.0) is refused by the policy: it matches the "
              "deny rule \"0000:af:*\"; the policy in c.json says which devices containers may "
              "have");
    // a device in the target already does not move, so no rule applies to it
    config = config_of(R"({"policy":{"allow":["rxn*"]}})");
    EXPECT_EQ(error_of([&] { decide(config, asking({"rxn1", "rxe0"})); }), "no error");
    EXPECT_EQ(error_of([&] { decide(config, asking({"mlx5_0"}, true)); }),
              "RDMA device mlx5_0 (PCI 0000:af:00.0) is refused by the policy: no allow rule "
              "matches it (allowed: rxn*); the policy in c.json says which devices containers "
              "may have");
}

TEST(Decide, MaxDevicesCountsWhatTheContainerHoldsAlready)
{
    auto config = config_of(R"({"policy":{"max_devices":2}})");
    EXPECT_EQ(error_of([&] { decide(config, asking({"rxn0", "rxe0"})); }), "no error");
    // an earlier hook entry of the same container gave it rxn1; rxe0 held and asked counts once
    EXPECT_EQ(error_of([&] {
                  decide(config, asking({"rxn0", "rxe0"}), {{2, "rxn1"}});
              }),
              "the container would hold 3 RDMA devices; the policy allows at most 2; ask for "
              "fewer, or raise policy.max_devices in c.json");
    EXPECT_EQ(error_of([&] {
                  decide(config, asking({"rxe0"}), {{3, "rxe0"}, {2, "rxn1"}});
              }),
              "no error");
}

TEST(Decide, TheDevicePluginsAllocationBoundsTheLists)
{
    rnh::Snapshot s = look();
    s.pci_addresses = {{"mlx5_0", "0000:af:00.0"}, {"rxn0", "0000:00:03.0"}};
    auto c = asking({"rxn0"}, true);
    c.allocation = Names{"0000:00:03.0"};
    EXPECT_EQ(error_of([&] { rnh::decide(rnh::Config{}, c, s, {}); }), "no error");
    c.request.devices = {"rxn0", "mlx5_0"};
    EXPECT_EQ(error_of([&] { rnh::decide(rnh::Config{}, c, s, {}); }),
              "RDMA device mlx5_0 (PCI 0000:af:00.0) is outside the device plugin's allocation "
              "(\"deviceID\" 0000:00:03.0); a list in the network configuration may only narrow "
              "\"deviceID\", never widen it");
    c.request.devices = {"rxn1"}; // no PCI function known: outside too
    EXPECT_EQ(error_of([&] { rnh::decide(rnh::Config{}, c, s, {}); }),
              "RDMA device rxn1 (no PCI function) is outside the device plugin's allocation "
              "(\"deviceID\" 0000:00:03.0); a list in the network configuration may only narrow "
              "\"deviceID\", never widen it");
    EXPECT_TRUE(rnh::pci_addresses_wanted(rnh::Config{}, c));
    EXPECT_FALSE(rnh::pci_addresses_wanted(rnh::Config{}, asking({"rxn0"}, true)));
}

TEST(Decide, NetdevsGoAlongWhenAskedAndAllowed)
{
    auto c = asking({"rxn0"});
    c.request.with_netdevs = true;
    const auto d = decide(rnh::Config{}, c);
    EXPECT_TRUE(d.with_netdevs);
    EXPECT_EQ(rnh::netdev_names(d.netdevs), Names{"eth0"});

    auto config = config_of(R"({"with_netdevs":true})");
    EXPECT_EQ(rnh::netdev_names(decide(config, asking({"rxn0"})).netdevs), Names{"eth0"});
    EXPECT_TRUE(rnh::netdevs_wanted(config, asking({"rxn0"}).request));
    EXPECT_EQ(error_of([&] { decide(config, asking({"rxn1"})); }),
              "network interface eth1 of RDMA device rxn1 carries the host's default route: "
              "moving it would cut the host off its network; use another interface, or set "
              "\"allow_default_route_netdev\": true in c.json");

    config = config_of(R"({"with_netdevs":true,"policy":{"allow_with_netdevs":false}})");
    EXPECT_FALSE(rnh::netdevs_wanted(config, asking({"rxn0"}).request));
    EXPECT_TRUE(decide(config, asking({"rxn0"})).netdevs.empty());
    EXPECT_EQ(error_of([&] { decide(config, c); }),
              "moving RDMA devices with their netdevs (rdma.netns/with-netdevs) is not allowed "
              "on this host; the policy in c.json sets \"allow_with_netdevs\": false; ask "
              "without it");
}

TEST(Decide, LimitsForContainersWithAProcessNotForCniAttachments)
{
    auto config = config_of(R"({"memlock":"unlimited","policy":{"rdma_limits":{"hca_handle":4}}})");
    const auto limits = decide(config, asking({"rxn0"})).limits;
    ASSERT_TRUE(limits.memlock);
    ASSERT_TRUE(limits.rdma);
    EXPECT_EQ(limits.rdma->hca_handle, 4u);
    // a pod's attachment names a namespace, not a process: its limits are the runtime's
    EXPECT_EQ(decide(config, asking({"rxn0"}, true)).limits, rnh::Limits{});
    // config.json's own RLIMIT_MEMLOCK wins
    auto c = asking({"rxn0"});
    c.spec_memlock = 1024;
    EXPECT_FALSE(decide(config, c).limits.memlock);
    // a container named by its namespace alone is refused before anything moves
    c.pid.reset();
    c.netns_path = "/run/netns/c1";
    EXPECT_EQ(error_of([&] { decide(config, c); }),
              "container c1 has no process to set its limits on; remove memlock and "
              "policy.rdma_limits from c.json for containers named only by a network namespace");
}
