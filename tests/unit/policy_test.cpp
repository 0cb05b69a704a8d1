// SPDX-License-Identifier: Apache-2.0
#include "base/error.hpp"
#include "hook/config/config.hpp"
#include "hook/plan/policy.hpp"

#include "tests/support/error_of.hpp"

#include <gtest/gtest.h>

namespace {

rnh::Policy policy_of(const std::string& json)
{
    return rnh::parse_config(R"({"policy":)" + json + "}", "c.json").policy;
}

} // namespace

TEST(Policy, DefaultsAllowEverything)
{
    rnh::Policy policy;
    rnh::oci::Request r;
    r.devices = {"a"};
    r.netdevs = {"eth1"};
    r.pci = {"0000:3b:00.1"};
    EXPECT_EQ(error_of([&] { rnh::check_request(policy, r, "c.json"); }), "no error");
    EXPECT_EQ(error_of([&] {
                  rnh::check_devices(policy, {"mlx5_0", "x"}, {}, "c.json");
              }),
              "no error");
    EXPECT_EQ(error_of([&] { rnh::check_count(policy, 1000, "c.json"); }), "no error");
}

TEST(Policy, DenyWinsAndNamesTheRule)
{
    auto policy = policy_of(R"({"allow":["mlx5_*"],"deny":["mlx5_0","0000:af:*"]})");
    EXPECT_EQ(error_of([&] {
                  rnh::check_devices(policy, {"mlx5_1", "mlx5_0"}, {}, "c.json");
              }),
              "RDMA device mlx5_0 is refused by the policy: it matches the deny rule \"mlx5_0\"; "
              "the policy in c.json says which devices containers may have");
    EXPECT_EQ(error_of([&] {
                  rnh::check_devices(policy, {"mlx5_4"}, {{"mlx5_4", "0000:af:00.1"}}, "c.json");
              }),
              "RDMA device mlx5_4 (PCI 0000:af:00.1) is refused by the policy: it matches the "
              "deny rule \"0000:af:*\"; the policy in c.json says which devices containers may "
              "have");
}

TEST(Policy, AllowByNameOrPciAddress)
{
    auto policy = policy_of(R"({"allow":["rxe[01]","0000:3b:00.*"]})");
    EXPECT_EQ(
        error_of([&] {
            rnh::check_devices(policy, {"rxe1", "mlx5_2"}, {{"mlx5_2", "0000:3b:00.1"}}, "c.json");
        }),
        "no error");
    EXPECT_EQ(error_of([&] { rnh::check_devices(policy, {"rxe2"}, {}, "c.json"); }),
              "RDMA device rxe2 is refused by the policy: no allow rule matches it (allowed: "
              "rxe[01], 0000:3b:00.*); the policy in c.json says which devices containers may "
              "have");
    auto none = policy_of(R"({"allow":[]})");
    EXPECT_NE(error_of([&] { rnh::check_devices(none, {"rxe0"}, {}, "c.json"); }), "no error");
}

TEST(Policy, MostDevicesPerContainer)
{
    auto policy = policy_of(R"({"max_devices":2})");
    EXPECT_EQ(error_of([&] { rnh::check_count(policy, 2, "c.json"); }), "no error");
    EXPECT_EQ(error_of([&] { rnh::check_count(policy, 3, "c.json"); }),
              "the container would hold 3 RDMA devices; the policy allows at most 2; ask for "
              "fewer, or raise policy.max_devices in c.json");
}

TEST(Policy, RequestKindsHonoured)
{
    auto policy = policy_of(R"({"request_annotations":["devices"]})");
    rnh::oci::Request r;
    r.devices = {"rxe0"};
    EXPECT_EQ(error_of([&] { rnh::check_request(policy, r, "c.json"); }), "no error");
    r.pci = {"0000:3b:00.1"};
    EXPECT_EQ(error_of([&] { rnh::check_request(policy, r, "c.json"); }),
              "requests by annotation rdma.netns/pci are not honoured on this host; the policy "
              "in c.json honours: rdma.netns/devices");
}

TEST(Policy, MistakesInThePolicyAreNamed)
{
    EXPECT_EQ(error_of([] { policy_of(R"({"alow":["x"]})"); }),
              "c.json: unknown policy setting \"alow\"; known: allow, deny, max_devices, "
              "request_annotations, cni_requests, allow_with_netdevs, max_memlock, rdma_limits");
    EXPECT_EQ(error_of([] { policy_of(R"({"max_devices":0})"); }),
              "c.json: \"policy.max_devices\" must be a whole number above 0");
    EXPECT_EQ(error_of([] { policy_of(R"({"deny":"mlx5_0"})"); }),
              "c.json: \"policy.deny\" must be an array of names or globs");
    EXPECT_EQ(error_of([] { policy_of(R"({"request_annotations":["names"]})"); }),
              "c.json: \"policy.request_annotations\" names \"names\"; the kinds are devices, "
              "netdevs and pci");
    EXPECT_EQ(error_of([] { policy_of(R"({"cni_requests":["deviceid"]})"); }),
              "c.json: \"policy.cni_requests\" names \"deviceid\"; the parts of a network "
              "configuration are deviceID, prevResult, devices, netdevs, pci and podAnnotations");
}

TEST(Policy, CniRequestsHonourTheAllocationAndTheChainByDefault)
{
    rnh::Policy policy;
    EXPECT_EQ(error_of([&] {
                  rnh::check_cni_request(policy, {"deviceID", "prevResult"}, "c.json");
              }),
              "no error");
    EXPECT_EQ(error_of([&] {
                  rnh::check_cni_request(policy, {"deviceID", "pci"}, "/e/c.json");
              }),
              "\"pci\" in a network configuration is not honoured on this host; the policy in "
              "/e/c.json honours: deviceID, prevResult; to honour it, set \"policy\": "
              "{\"cni_requests\": [\"deviceID\", \"pci\", \"prevResult\"]} in /e/c.json");
    // without a settings file the hint names the file to write
    EXPECT_EQ(error_of([&] { rnh::check_cni_request(policy, {"devices"}, rnh::Config{}.source); }),
              "\"devices\" in a network configuration is not honoured on this host; the policy "
              "in the built-in defaults (no /etc/rdma-netns-hook/config.json) honours: deviceID, "
              "prevResult; to honour it, set \"policy\": {\"cni_requests\": [\"deviceID\", "
              "\"devices\", \"prevResult\"]} in /etc/rdma-netns-hook/config.json");
    auto lists = policy_of(R"({"cni_requests":["devices","netdevs"]})");
    EXPECT_EQ(error_of([&] {
                  rnh::check_cni_request(lists, {"devices", "netdevs"}, "c.json");
              }),
              "no error");
    EXPECT_NE(error_of([&] { rnh::check_cni_request(lists, {"deviceID"}, "c.json"); }), "no error");
    EXPECT_NE(error_of([&] { rnh::check_cni_request(lists, {"prevResult"}, "c.json"); }),
              "no error");
}

TEST(Policy, PodAnnotationsAreHonouredOnlyWhenTheCniRequestsSaySo)
{
    EXPECT_EQ(
        error_of([&] { rnh::check_cni_request(rnh::Policy{}, {"podAnnotations"}, "/e/c.json"); }),
        "a request in the pod's rdma.netns/ annotations is not honoured on this host; the "
        "policy in /e/c.json honours: deviceID, prevResult; to honour it, set \"policy\": "
        "{\"cni_requests\": [\"deviceID\", \"podAnnotations\", \"prevResult\"]} in "
        "/e/c.json");
    auto pods = policy_of(R"({"cni_requests":["podAnnotations"]})");
    EXPECT_EQ(error_of([&] { rnh::check_cni_request(pods, {"podAnnotations"}, "c.json"); }),
              "no error");
    // the lists of the configuration are a part of their own
    EXPECT_NE(error_of([&] { rnh::check_cni_request(pods, {"devices"}, "c.json"); }), "no error");
}
