// SPDX-License-Identifier: Apache-2.0
// The netdevs that go with RDMA devices: which, which are refused, how a
// returned one is known again, what is kept of its addresses; and where they
// are recorded and asked for (journal, config, annotation, policy).
#include "hook/cdi.hpp"
#include "hook/cli.hpp"
#include "hook/config/config.hpp"
#include "hook/kernel/sysfs.hpp"
#include "hook/plan/netdevs.hpp"
#include "hook/plan/policy.hpp"
#include "hook/state/journal.hpp"
#include "oci/request.hpp"
#include "runtime/spec_edit.hpp"
#include "tests/support/error_of.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>

#include <filesystem>

namespace {

namespace fs = std::filesystem;
using rnh::LinkFacts;
using rnh::Netdev;
using rnh::nl::Address;
using rnh::nl::Link;

Link physical(std::uint32_t index, const std::string& name, const std::string& pci)
{
    return {index, name, 1500, true, "", "pci/" + pci, "52:54:00:00:00:0" + std::to_string(index),
            ""};
}

struct Host {
    std::vector<rnh::nl::Device> devices{{1, "rxn0"}, {2, "rxn1"}, {3, "rxe0"}, {4, "mlx5_0"}};
    std::vector<rnh::nl::Port> ports{
        {1, "rxn0", "eth0"}, {2, "rxn1", "eth1"}, {3, "rxe0", "v0"}, {4, "mlx5_0", ""}};
    LinkFacts facts{{physical(2, "eth0", "0000:00:03.0"), physical(3, "eth1", "0000:00:04.0"),
                     Link{9, "v0", 1500, true, "veth", "", "aa:bb:cc:dd:ee:ff", ""}},
                    {},
                    {Link{1, "lo", 65536, false, "", "", "", ""}}};

    std::vector<Netdev> plan(std::vector<rnh::nl::Device> moving, bool allow_default = false) const
    {
        return rnh::plan_netdevs(moving, ports, facts, allow_default, "c.json");
    }
};

TEST(NetdevPlan, EveryNetdevOfAPortOfEachDeviceToMove)
{
    Host host;
    const auto netdevs = host.plan({{1, "rxn0"}, {2, "rxn1"}});
    ASSERT_EQ(netdevs.size(), 2u);
    EXPECT_EQ(netdevs[0].device, "rxn0");
    EXPECT_EQ(netdevs[0].link, host.facts.host_links[0]);
    EXPECT_EQ(rnh::netdev_names(netdevs), (std::vector<std::string>{"eth0", "eth1"}));
    // a port with no netdev (InfiniBand without IPoIB) brings none
    EXPECT_TRUE(host.plan({{4, "mlx5_0"}}).empty());
    // two ports on one netdev bring it once
    host.ports.push_back({1, "rxn0", "eth0"});
    EXPECT_EQ(host.plan({{1, "rxn0"}}).size(), 1u);
}

TEST(NetdevPlan, AVirtualLinkIsRefused)
{
    Host host;
    EXPECT_EQ(error_of([&] {
                  host.plan({{3, "rxe0"}});
              }),
              "network interface v0 of RDMA device rxe0 is a virtual link (veth): the kernel "
              "would destroy it with the container's network namespace instead of returning it; "
              "ask for the RDMA device without its netdev (rdma.netns/with-netdevs=false), or "
              "bind the RDMA device to a physical interface");
}

TEST(NetdevPlan, TheDefaultRouteNetdevIsRefusedUnlessAllowed)
{
    Host host;
    host.facts.default_route_links = {3};
    EXPECT_EQ(error_of([&] {
                  host.plan({{2, "rxn1"}});
              }),
              "network interface eth1 of RDMA device rxn1 carries the host's default route: "
              "moving it would cut the host off its network; use another interface, or set "
              "\"allow_default_route_netdev\": true in c.json");
    EXPECT_EQ(host.plan({{2, "rxn1"}}, true).size(), 1u);
    EXPECT_EQ(host.plan({{1, "rxn0"}}).size(), 1u);
}

TEST(NetdevPlan, APortOfABondBridgeTeamOrVrfIsRefused)
{
    Host host;
    host.facts.host_links.push_back({7, "bond0", 1500, true, "bond", "", "", ""});
    host.facts.host_links[0].master = 7;
    EXPECT_EQ(error_of([&] {
                  host.plan({{1, "rxn0"}});
              }),
              "network interface eth0 of RDMA device rxn0 is a port of bond0 (bond): moving it "
              "would take it out of its master, and it would not come back a port; take it out "
              "first (ip link set eth0 nomaster), or ask for the RDMA device without its netdev "
              "(rdma.netns/with-netdevs=false)");
    // also when the default route's netdev may go: that is the master's, not the port's
    host.facts.default_route_links = {7};
    EXPECT_NE(error_of([&] {
                  host.plan({{1, "rxn0"}}, true);
              }).find("is a port of bond0 (bond), which carries the host's default route: "),
              std::string::npos);
    EXPECT_EQ(host.plan({{2, "rxn1"}}).size(), 1u);
}

TEST(NetdevPlan, TheLowerDeviceOfAnotherLinkIsRefused)
{
    Host host;
    Link macvlan{8, "m0", 1500, true, "macvlan", "", "", ""};
    macvlan.lower = 2;
    host.facts.host_links.push_back(macvlan);
    EXPECT_EQ(error_of([&] {
                  host.plan({{1, "rxn0"}});
              }),
              "network interface eth0 of RDMA device rxn0 is the lower device of m0 (macvlan): "
              "it would stop working while eth0 is away; delete m0 first, or ask for the RDMA "
              "device without its netdev (rdma.netns/with-netdevs=false)");
    Link vlan{10, "eth1.5", 1500, true, "vlan", "", "", ""};
    vlan.lower = 3;
    host.facts.host_links.push_back(vlan);
    host.facts.default_route_links = {10};
    EXPECT_NE(error_of([&] {
                  host.plan({{2, "rxn1"}});
              })
                  .find("is the lower device of eth1.5 (vlan), which carries the host's default "
                        "route: "),
              std::string::npos);
    // a lower device in another namespace (IFLA_LINK_NETNSID) reads as none
    host.facts.host_links.pop_back();
    EXPECT_EQ(host.plan({{2, "rxn1"}}).size(), 1u);
}

TEST(NetdevPlan, ANameTakenInTheTargetIsRefused)
{
    Host host;
    host.facts.target_links.push_back({2, "eth0", 1500, false, "dummy", "", "", ""});
    EXPECT_EQ(error_of([&] {
                  host.plan({{1, "rxn0"}});
              }),
              "network interface eth0 of RDMA device rxn0 cannot go into the container: its "
              "network namespace already has an interface named eth0; rename one of them; the "
              "hook does not rename interfaces");
}

TEST(NetdevPlan, ANetdevGoneMeanwhileIsNamed)
{
    Host host;
    host.facts.host_links.erase(host.facts.host_links.begin());
    EXPECT_EQ(error_of([&] {
                  host.plan({{1, "rxn0"}});
              }),
              "network interface eth0 of RDMA device rxn0 is not in the host network namespace "
              "any more; start the container again");
}

TEST(NetdevPlan, KeptAddressesAreGlobalOrSiteAndNotMadeByTheKernel)
{
    const Address v4{AF_INET, "10.9.0.1", "", "", "", 24, RT_SCOPE_UNIVERSE, IFA_F_PERMANENT, 2};
    const Address v4_dhcp{AF_INET, "10.9.0.2", "", "", "", 24, RT_SCOPE_UNIVERSE, 0, 2};
    const Address v4_host{AF_INET, "127.0.0.9", "", "", "", 8, RT_SCOPE_HOST, 0, 2};
    const Address v6{AF_INET6, "fd00:9::1", "", "", "", 64, RT_SCOPE_UNIVERSE, IFA_F_PERMANENT, 2};
    const Address v6_site{AF_INET6, "fec0::1", "", "", "", 64, RT_SCOPE_SITE, IFA_F_PERMANENT, 2};
    const Address v6_link{AF_INET6, "fe80::1", "", "", "", 64, RT_SCOPE_LINK, IFA_F_PERMANENT, 2};
    const Address v6_slaac{
        AF_INET6, "2001:db8::5054:ff:fe12:3456", "", "", "", 64, RT_SCOPE_UNIVERSE, 0, 2};
    const Address v6_temp{AF_INET6,
                          "2001:db8::1234",
                          "",
                          "",
                          "",
                          64,
                          RT_SCOPE_UNIVERSE,
                          IFA_F_TEMPORARY | IFA_F_PERMANENT,
                          2};
    EXPECT_EQ(rnh::kept_addresses({v4, v4_dhcp, v4_host, v6, v6_site, v6_link, v6_slaac, v6_temp}),
              (std::vector<Address>{v4, v4_dhcp, v6, v6_site}));
}

TEST(NetdevReturn, FoundByParentAndPermanentAddressNotByNameOrIndex)
{
    const Link recorded = physical(2, "eth0", "0000:00:03.0");
    Link renamed = recorded;
    renamed.name = "dev7";
    renamed.index = 7;
    renamed.up = false;
    const Link other = physical(3, "eth0", "0000:00:04.0");
    const std::vector<Link> links{other, renamed};
    ASSERT_NE(rnh::find_link(links, recorded), nullptr);
    EXPECT_EQ(rnh::find_link(links, recorded)->name, "dev7");
    EXPECT_EQ(rnh::find_link({other}, recorded), nullptr);
    // with no parent and no permanent address: name and index
    const Link bare{5, "ib0", 2044, true, "", "", "", ""};
    EXPECT_NE(rnh::find_link({bare}, bare), nullptr);
    EXPECT_EQ(rnh::find_link({Link{6, "ib0", 2044, true, "", "", "", ""}}, bare), nullptr);
}

TEST(NetdevJournal, NetdevsAndTheirHostSettingsRoundTrip)
{
    rnh::Assignment a;
    a.container_id = "c1";
    a.netns = {4, 100, 7};
    a.devices = {{1, "rxn0"}};
    Netdev n{"rxn0", physical(2, "eth0", "0000:00:03.0"), {}};
    n.link.mtu = 1400;
    n.addresses = {{AF_INET, "10.9.0.1", "", "10.9.0.255", "eth0:a", 24, 0, IFA_F_PERMANENT, 2},
                   {AF_INET6, "fd00:9::1", "fd00:9::2", "", "", 64, 0, IFA_F_NODAD, 2}};
    a.netdevs = {n};
    const auto back = rnh::assignment_from_json(rnh::to_json(a), "j");
    ASSERT_EQ(back.netdevs.size(), 1u);
    EXPECT_EQ(back.netdevs[0].device, n.device);
    EXPECT_EQ(back.netdevs[0].link,
              (Link{2, "eth0", 1400, true, "", "pci/0000:00:03.0", "52:54:00:00:00:02", ""}));
    EXPECT_EQ(back.netdevs[0].addresses, n.addresses);
    EXPECT_FALSE(back.netdevs[0].not_home);
    EXPECT_EQ(rnh::to_json(a).find("not_home"), std::string::npos);
    // one not found on its way back stays a record, marked
    a.netdevs[0].not_home = true;
    EXPECT_TRUE(rnh::assignment_from_json(rnh::to_json(a), "j").netdevs.at(0).not_home);
    // a journal without netdevs (older, or none moved) has none, and writes none
    a.netdevs.clear();
    EXPECT_EQ(rnh::to_json(a).find("netdevs"), std::string::npos);
    EXPECT_TRUE(rnh::assignment_from_json(rnh::to_json(a), "j").netdevs.empty());
}

TEST(NetdevJournal, DamagedNetdevsAreNamed)
{
    const std::string head = R"({"version":1,"container_id":"c","phase":"held",)"
                             R"("netns":{"dev":1,"ino":2,"cookie":3},"devices":[],"since":0,)";
    EXPECT_EQ(error_of([&] { rnh::assignment_from_json(head + R"("netdevs":{}})", "j"); }),
              "j: \"netdevs\" must be an array");
    const std::string netdev = R"({"device":"rxn0","name":"eth0","index":2,"mtu":1500,)"
                               R"("up":true,"parent":"","permanent_mac":"","addresses":)";
    EXPECT_EQ(error_of([&] {
                  rnh::assignment_from_json(head + R"("netdevs":[)" + netdev +
                                                R"([{"family":5,"local":"x",)" +
                                                R"("prefix":1,"scope":0,"flags":0}]}]})",
                                            "j");
              }),
              "j: an address of netdev eth0 has family 5, not 4 or 6");
    EXPECT_EQ(error_of([&] {
                  rnh::assignment_from_json(head + R"("netdevs":[)" + netdev + R"(3}]})", "j");
              }),
              "j: \"addresses\" of netdev eth0 must be an array");
}

TEST(NetdevRequest, AnnotationConfigAndPolicy)
{
    using rnh::oci::request_from_annotations;
    EXPECT_FALSE(request_from_annotations({{"rdma.netns/devices", "rxn0"}}).with_netdevs);
    EXPECT_EQ(request_from_annotations({{"rdma.netns/with-netdevs", "true"}}).with_netdevs, true);
    EXPECT_EQ(request_from_annotations({{"rdma.netns/with-netdevs", "false"}}).with_netdevs, false);
    EXPECT_EQ(error_of([] {
                  request_from_annotations({{"rdma.netns/with-netdevs", "yes"}});
              }),
              "annotation rdma.netns/with-netdevs is \"yes\"; write true or false");

    auto config = rnh::parse_config(
        R"({"with_netdevs":true,"allow_default_route_netdev":true,"policy":{"allow_with_netdevs":false}})",
        "c.json");
    EXPECT_TRUE(config.with_netdevs);
    EXPECT_TRUE(config.allow_default_route_netdev);
    EXPECT_FALSE(config.policy.allow_with_netdevs);
    EXPECT_FALSE(rnh::Config{}.with_netdevs);
    EXPECT_EQ(error_of([] { rnh::parse_config(R"({"with_netdevs":"yes"})", "c.json"); }),
              "c.json: \"with_netdevs\" must be true or false");

    rnh::oci::Request asked;
    asked.with_netdevs = true;
    rnh::oci::Request silent;
    rnh::oci::Request declined;
    declined.with_netdevs = false;
    const rnh::Policy open;
    EXPECT_TRUE(rnh::netdevs_go_along(open, false, asked, "c.json"));
    EXPECT_FALSE(rnh::netdevs_go_along(open, false, silent, "c.json"));
    EXPECT_TRUE(rnh::netdevs_go_along(open, true, silent, "c.json"));
    EXPECT_FALSE(rnh::netdevs_go_along(open, true, declined, "c.json"));
    // the policy forbids: a request is refused, a default is off
    EXPECT_EQ(error_of([&] { rnh::netdevs_go_along(config.policy, false, asked, "c.json"); }),
              "moving RDMA devices with their netdevs (rdma.netns/with-netdevs) is not allowed on "
              "this host; the policy in c.json sets \"allow_with_netdevs\": false; ask without it");
    EXPECT_FALSE(rnh::netdevs_go_along(config.policy, true, silent, "c.json"));
}

// A fake sysfs: PCI functions with a virtio NIC, an mlx5 auxiliary RDMA
// device below its function, and a soft device with no parent.
struct FakeSysfs {
    TempDir dir;
    fs::path root = dir.path;

    void mkdir(const fs::path& p) const { fs::create_directories(root / p); }
    void link(const fs::path& at, const fs::path& to) const
    {
        fs::create_directories((root / at).parent_path());
        fs::create_symlink(to, root / at);
    }

    FakeSysfs()
    {
        mkdir("bus/pci/devices");
        mkdir("bus/virtio");
        mkdir("bus/auxiliary");
        const fs::path nic = "devices/pci0000:00/0000:00:03.0";
        mkdir(nic / "virtio0/net/eth0");
        link(nic / "subsystem", root / "bus/pci");
        link(nic / "virtio0/subsystem", root / "bus/virtio");
        link("class/net/eth0", root / nic / "virtio0/net/eth0");
        link(nic / "virtio0/net/eth0/device", root / nic / "virtio0");
        link("bus/pci/devices/0000:00:03.0", root / nic);

        const fs::path hca = "devices/pci0000:3a/0000:3a:00.0/0000:3b:00.1";
        mkdir(hca / "mlx5_core.rdma.1/infiniband/mlx5_1");
        link("devices/pci0000:3a/0000:3a:00.0/subsystem", root / "bus/pci"); // a bridge
        link(hca / "subsystem", root / "bus/pci");
        link(hca / "mlx5_core.rdma.1/subsystem", root / "bus/auxiliary");
        link("class/infiniband/mlx5_1", root / hca / "mlx5_core.rdma.1/infiniband/mlx5_1");
        link(hca / "mlx5_core.rdma.1/infiniband/mlx5_1/device", root / hca / "mlx5_core.rdma.1");
        link("bus/pci/devices/0000:3b:00.1", root / hca);

        mkdir("devices/virtual/infiniband/rxn0");
        link("class/infiniband/rxn0", root / "devices/virtual/infiniband/rxn0");
        mkdir("devices/virtual/infiniband/rxe9");
        link("class/infiniband/rxe9", root / "devices/virtual/infiniband/rxe9");
    }
};

TEST(PciSelection, NearestPciAncestorOrThePortNetdevs)
{
    FakeSysfs sys;
    const auto root = sys.root.string();
    EXPECT_EQ(rnh::nearest_pci_function(root, root + "/class/infiniband/mlx5_1/device"),
              "0000:3b:00.1");
    EXPECT_EQ(rnh::nearest_pci_function(root, root + "/class/net/eth0/device"), "0000:00:03.0");
    EXPECT_EQ(rnh::nearest_pci_function(root, root + "/class/infiniband/rxn0/device"), "");

    const std::vector<rnh::nl::Port> ports{{1, "rxn0", "eth0"}, {2, "rxe9", ""}};
    const auto functions = rnh::rdma_pci_functions(root, {"mlx5_1", "rxn0", "rxe9"}, ports);
    EXPECT_EQ(functions, (std::map<std::string, std::string>{{"mlx5_1", "0000:3b:00.1"},
                                                             {"rxn0", "0000:00:03.0"}}));
    const auto nic = rnh::read_pci_function(root, "0000:00:03.0", functions);
    EXPECT_TRUE(nic.exists);
    EXPECT_EQ(nic.rdma_devices, std::vector<std::string>{"rxn0"});
    EXPECT_EQ(rnh::read_pci_function(root, "0000:3b:00.1", functions).rdma_devices,
              std::vector<std::string>{"mlx5_1"});
    EXPECT_FALSE(rnh::read_pci_function(root, "0000:5e:00.0", functions).exists);
}

TEST(NetdevRequest, HookArgumentCdiSpecAndDockerVariable)
{
    EXPECT_TRUE(rnh::parse_command_line({"createRuntime", "--device", "rxn0", "--with-netdevs"})
                    .with_netdevs);
    EXPECT_FALSE(rnh::parse_command_line({"prestart"}).with_netdevs);
    EXPECT_TRUE(rnh::parse_command_line({"cdi", "generate", "--with-netdevs"}).with_netdevs);

    const auto spec =
        rnh::cdi_spec({{"rxn0", "uverbs0", {}, true}, {"rxn1", std::nullopt, {}, false}},
                      "/usr/bin/rdma-netns-hook");
    const auto devices = nlohmann::json::parse(spec).at("devices");
    const auto args_of = [&](std::size_t i) {
        return devices.at(i).at("containerEdits").at("hooks").at(0).at("args");
    };
    EXPECT_EQ(args_of(0), nlohmann::json::parse(R"(["rdma-netns-hook","createRuntime","--device",
        "rxn0","--verbs-node","rxn0=uverbs0","--with-netdevs"])"));
    EXPECT_EQ(args_of(1),
              nlohmann::json::parse(R"(["rdma-netns-hook","createRuntime","--device","rxn1"])"));

    auto edited = [](const std::string& env) {
        return rnh::runtime::add_hooks_to_spec(R"({"process":{"env":)" + env + "}}", "config.json",
                                               "/usr/bin/rdma-netns-hook")
            .value_or("unchanged");
    };
    EXPECT_NE(edited(R"(["RDMA_NETNS_DEVICES=rxn0","RDMA_NETNS_WITH_NETDEVS=1"])")
                  .find(R"("rdma.netns/with-netdevs":"true")"),
              std::string::npos);
    EXPECT_NE(edited(R"(["RDMA_NETNS_DEVICES=rxn0","RDMA_NETNS_WITH_NETDEVS=false"])")
                  .find(R"("rdma.netns/with-netdevs":"false")"),
              std::string::npos);
    // alone it asks for no device: the bundle stays as it is
    EXPECT_EQ(edited(R"(["RDMA_NETNS_WITH_NETDEVS=1"])"), "unchanged");
    EXPECT_EQ(
        error_of([&] { edited(R"(["RDMA_NETNS_DEVICES=rxn0","RDMA_NETNS_WITH_NETDEVS=yes"])"); }),
        "environment variable RDMA_NETNS_WITH_NETDEVS is \"yes\"; write true or false");
}

} // namespace
