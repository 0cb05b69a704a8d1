// SPDX-License-Identifier: Apache-2.0
#include "base/error.hpp"
#include "oci/request.hpp"
#include "oci/spec.hpp"
#include "tests/support/error_of.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>

using rnh::oci::request_from_annotations;
using Strings = std::vector<std::string>;

namespace {

std::string error_of(const rnh::oci::Annotations& annotations)
{
    return ::error_of([&] { request_from_annotations(annotations); });
}

} // namespace

TEST(OciRequest, NoAnnotationIsAnEmptyRequest)
{
    EXPECT_TRUE(request_from_annotations({{"other", "x"}}).empty());
}

TEST(OciRequest, ListsAreTrimmedAndMerged)
{
    auto r = request_from_annotations({{"rdma.netns/devices", "mlx5_1, mlx5_3,mlx5_1"},
                                       {"rdma.netns/netdevs", "eth1"},
                                       {"rdma.netns/pci", "3B:00.1,0000:3b:00.1,0000:af:00.0"}});
    EXPECT_EQ(r.devices, (Strings{"mlx5_1", "mlx5_3"}));
    EXPECT_EQ(r.netdevs, (Strings{"eth1"}));
    EXPECT_EQ(r.pci, (Strings{"0000:3b:00.1", "0000:af:00.0"}));
}

TEST(OciRequest, BadNamesAreRefusedWithTheirSource)
{
    EXPECT_EQ(error_of({{"rdma.netns/devices", "mlx5_0,"}}),
              "annotation rdma.netns/devices has an empty item in \"mlx5_0,\"; write a "
              "comma-separated list such as mlx5_0,mlx5_1");
    EXPECT_EQ(error_of({{"rdma.netns/devices", "../x"}}),
              "annotation rdma.netns/devices: \"../x\" is not a valid RDMA device name; names "
              "are 1 to 63 of [A-Za-z0-9_.:-], such as mlx5_0");
    for (const auto* bad : {"a/b", "..", "a b", "$(reboot)", "x;y", "mlx5`id`"})
        EXPECT_NE(error_of({{"rdma.netns/devices", bad}}).find("is not a valid RDMA device name"),
                  std::string::npos)
            << bad;
    EXPECT_NE(error_of({{"rdma.netns/devices", std::string(64, 'a')}}).find("not a valid"),
              std::string::npos);
    EXPECT_EQ(error_of({{"rdma.netns/devices", std::string(63, 'a')}}), "no error");
    EXPECT_EQ(error_of({{"rdma.netns/netdevs", "averyveryverylong0"}}),
              "annotation rdma.netns/netdevs: \"averyveryverylong0\" is not a valid network "
              "interface name; names are 1 to 15 printable characters without '/', ':' or "
              "spaces, such as eth1");
    for (const auto* bad : {"a/b", "..", "eth0:1"})
        EXPECT_NE(error_of({{"rdma.netns/netdevs", bad}}).find("not a valid network interface"),
                  std::string::npos)
            << bad;
    for (const auto* bad : {"3b:00", "0000:3b:00.8", "0000:3b:20.1", "zz:00.0", "0000:3b:00.1x"})
        EXPECT_NE(error_of({{"rdma.netns/pci", bad}}).find("is not a PCI address"),
                  std::string::npos)
            << bad;
}

TEST(OciRequest, LongListsAreRefusedNotSlowlyMerged)
{
    auto list = [](int n) {
        std::string s = "d0";
        for (int i = 1; i < n; ++i)
            s += ",d" + std::to_string(i);
        return s;
    };
    EXPECT_EQ(request_from_annotations({{"rdma.netns/devices", list(1024)}}).devices.size(), 1024U);
    EXPECT_EQ(error_of({{"rdma.netns/devices", list(1025)}}),
              "annotation rdma.netns/devices lists more than 1024 items; request only the "
              "devices this container needs");
    EXPECT_NE(error_of({{"rdma.netns/netdevs", list(200000)}}).find("more than 1024 items"),
              std::string::npos);
}

TEST(OciSpec, AnnotationsAndNetworkNamespacePath)
{
    auto spec = rnh::oci::parse_spec(
        R"({"annotations":{"rdma.netns/devices":"rxe0"},"linux":{"namespaces":[
            {"type":"pid"},{"type":"network","path":"/run/netns/pod1"}]}})",
        "config.json");
    EXPECT_EQ(spec.annotations.at("rdma.netns/devices"), "rxe0");
    EXPECT_EQ(spec.netns_path, "/run/netns/pod1");
    auto fresh = rnh::oci::parse_spec(R"({"linux":{"namespaces":[{"type":"network"}]}})", "c");
    EXPECT_FALSE(fresh.netns_path);
    EXPECT_THROW(
        rnh::oci::parse_spec(R"({"linux":{"namespaces":[{"type":"network","path":"x"}]}})", "c"),
        rnh::Error);
}

TEST(OciSpec, ReadRefusesRelativeBundleAndSymlink)
{
    EXPECT_EQ(::error_of([] { rnh::oci::read_spec("bundle"); }),
              "the bundle path \"bundle\" in the OCI state is not absolute");
    TempDir bundle;
    ASSERT_EQ(symlink("/etc/hostname", (bundle.path / "config.json").c_str()), 0);
    EXPECT_EQ(::error_of([&] { rnh::oci::read_spec(bundle.path); }),
              bundle.path.string() +
                  "/config.json is a symbolic link; the file must be a regular file, not a link");
}

TEST(OciSpec, OversizedConfigJsonIsRefused)
{
    TempDir bundle;
    bundle.write("config.json", "{\"annotations\":{\"x\":\"" +
                                    std::string(rnh::oci::spec_max_bytes, 'a') + "\"}}");
    EXPECT_EQ(::error_of([&] { rnh::oci::read_spec(bundle.path); }),
              bundle.path.string() + "/config.json is larger than 4194304 bytes; it is refused "
                                     "rather than truncated");
}

TEST(OciRequest, PciAddressesAreNormalised)
{
    using rnh::oci::normal_pci_address;
    EXPECT_EQ(normal_pci_address("0000:3b:00.1"), "0000:3b:00.1");
    EXPECT_EQ(normal_pci_address("3B:1f.7"), "0000:3b:1f.7");
    EXPECT_EQ(normal_pci_address("10000:af:00.0"), "10000:af:00.0");
    for (const auto* bad : {"", "3b", "3b:00", ":00.1", "000:3b:00.1", "000000000:3b:00.1",
                            "0000:3b:00.1.2", "0000:3b:00.", "0000:3b:0.1", "0000:3b:00:1",
                            "0000.3b:00:1", "0000:3b:2f.1", "0000:g0:00.1", "a:b:c:d.e"})
        EXPECT_EQ(normal_pci_address(bad), std::nullopt) << bad;
}
