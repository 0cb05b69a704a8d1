// SPDX-License-Identifier: Apache-2.0
#include "base/error.hpp"
#include "hook/plan/device_list.hpp"
#include "hook/plan/resolve.hpp"
#include "tests/support/error_of.hpp"

#include <gtest/gtest.h>

using rnh::nl::Device;
using rnh::nl::Port;

namespace {

rnh::Snapshot host_with_three()
{
    rnh::Snapshot s;
    s.host_devices = {{1, "rxe0"}, {2, "rxe1"}, {3, "mlx5_0"}};
    s.host_ports = {{1, "rxe0", "v0"}, {2, "rxe1", "v1"}, {3, "mlx5_0", "bond0"}};
    s.target_devices = {{4, "rxe3"}};
    s.pci["0000:3b:00.0"] = {true, {"mlx5_0"}};
    s.pci["0000:3b:00.1"] = {true, {}};
    return s;
}

std::vector<std::string> names(const std::vector<Device>& devices)
{
    std::vector<std::string> out;
    for (const auto& d : devices)
        out.push_back(d.name);
    return out;
}

std::string error_of(const rnh::oci::Request& request)
{
    return ::error_of([&] { rnh::resolve(request, host_with_three()); });
}

} // namespace

TEST(Resolve, NamesNetdevsAndPciMergeIntoOnePlan)
{
    rnh::oci::Request r;
    r.devices = {"rxe1", "rxe3"};
    r.netdevs = {"v1", "v0"};
    r.pci = {"0000:3b:00.0"};
    auto plan = rnh::resolve(r, host_with_three());
    EXPECT_EQ(names(plan.to_move), (std::vector<std::string>{"rxe1", "rxe0", "mlx5_0"}));
    EXPECT_EQ(names(plan.already_there), (std::vector<std::string>{"rxe3"}));
    EXPECT_EQ(plan.to_move[2].index, 3u);
}

TEST(Resolve, UnknownRequestsNameWhatWasAskedAndWhatExists)
{
    rnh::oci::Request r;
    r.devices = {"rxe0", "mlx5_9"};
    EXPECT_EQ(error_of(r), "no RDMA device named \"mlx5_9\" in the host network namespace; RDMA "
                           "devices in the host: rxe0, rxe1, mlx5_0; `rdma-netns-hook status` "
                           "shows devices held by containers");
    r = {};
    r.netdevs = {"eth7"};
    EXPECT_EQ(error_of(r), "no RDMA device has a port bound to the network interface \"eth7\"; "
                           "check the name with `rdma link show`; RDMA devices in the host: "
                           "rxe0, rxe1, mlx5_0");
    r = {};
    r.pci = {"0000:00:1f.0"};
    EXPECT_EQ(error_of(r), "no PCI device 0000:00:1f.0 on this host; check it with `lspci -D`");
    r.pci = {"0000:3b:00.1"};
    EXPECT_EQ(error_of(r), "PCI device 0000:3b:00.1 has no RDMA device in the host network "
                           "namespace; it may be held by another container, or its RDMA driver "
                           "is not loaded");
}

TEST(Resolve, EmptyHostIsSaidPlainly)
{
    rnh::oci::Request r;
    r.devices = {"rxe0"};
    try {
        rnh::resolve(r, {});
        FAIL();
    } catch (const rnh::Error& e) {
        EXPECT_NE(std::string(e.what()).find("RDMA devices in the host: none"), std::string::npos);
    }
}

// A start locks only devices that exist somewhere it can know of.
TEST(KnownNames, OnlyNamesOfKnownDevicesAreLocked)
{
    using Names = std::vector<std::string>;
    EXPECT_EQ(rnh::known_names({"rxe1", "ghost", "rxe0", "rxe1"}, {"rxe0", "rxe1", "rxe2", "rxe0"}),
              (Names{"rxe0", "rxe1"}));
    Names many;
    for (int i = 0; i < 1024; ++i)
        many.push_back("nodev" + std::to_string(i));
    EXPECT_TRUE(rnh::known_names(many, {"rxe0"}).empty());
    EXPECT_TRUE(rnh::known_names({}, {"rxe0"}).empty());
}
