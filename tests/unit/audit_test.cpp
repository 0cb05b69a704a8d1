// SPDX-License-Identifier: Apache-2.0
#include "base/error.hpp"
#include "hook/audit/report.hpp"
#include "hook/cli.hpp"

#include "tests/support/error_of.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cerrno>

using rnh::AuditView;
using rnh::find_breaches;
using rnh::nl::NetnsMode;
using Lines = std::vector<std::string>;

namespace {

// What a container given rxe0 sees in exclusive mode, with all of the host's
// /dev/infiniband bind-mounted in while rxe1 stays in the host.
AuditView isolated_view()
{
    AuditView view;
    view.netlink = {"rxe0"};
    view.sysfs = Lines{"rxe0"};
    view.sysfs_source = "the target's own /sys";
    view.nodes = {
        {"uverbs0", "rxe0", 0},   {"uverbs1", "rxe1", EPERM}, {"umad0", "rxe0", 0},
        {"umad1", "rxe1", EPERM}, {"issm0", "rxe0", 0},       {"issm1", "rxe1", EPERM},
    };
    view.rdma_cm = 0;
    return view;
}

rnh::Assignment held(const std::string& id, rnh::NsId netns, Lines names)
{
    rnh::Assignment a;
    a.container_id = id;
    a.phase = rnh::Assignment::Phase::held;
    a.netns = netns;
    std::uint32_t index = 1;
    for (auto& name : names)
        a.devices.push_back({index++, std::move(name)});
    return a;
}

} // namespace

TEST(AuditTarget, NumbersArePidsSlashesArePathsTheRestContainerIds)
{
    auto pid = rnh::parse_audit_target("4242");
    EXPECT_EQ(pid.kind, rnh::AuditTarget::Kind::pid);
    EXPECT_EQ(pid.pid, 4242);
    EXPECT_EQ(rnh::parse_audit_target("/run/netns/pod").kind, rnh::AuditTarget::Kind::netns_path);
    EXPECT_EQ(rnh::parse_audit_target("/proc/42/ns/net").kind, rnh::AuditTarget::Kind::netns_path);
    auto container = rnh::parse_audit_target("r1");
    EXPECT_EQ(container.kind, rnh::AuditTarget::Kind::container);
    EXPECT_EQ(container.text, "r1");
    EXPECT_EQ(error_of([] { rnh::parse_audit_target("0"); }),
              "audit: 0 is not a process id; give a container's pid, its container id, or a "
              "network namespace path such as /run/netns/NAME");
    EXPECT_EQ(error_of([] { rnh::parse_audit_target("99999999999"); }).substr(0, 40),
              "audit: 99999999999 is not a process id; ");
    EXPECT_EQ(error_of([] { rnh::parse_audit_target(""); }).substr(0, 26),
              "audit: the target is empty");
}

TEST(AuditTarget, CommandLine)
{
    auto inv = rnh::parse_command_line({"audit", "r1"});
    EXPECT_EQ(inv.command, rnh::Command::audit);
    EXPECT_EQ(inv.target, "r1");
    EXPECT_FALSE(inv.json);
    inv = rnh::parse_command_line({"--config", "/c.json", "audit", "--json", "/run/netns/x"});
    EXPECT_EQ(inv.target, "/run/netns/x");
    EXPECT_TRUE(inv.json);
    EXPECT_EQ(inv.config_path, "/c.json");
    EXPECT_EQ(rnh::parse_command_line({"audit", "42", "--json"}).target, "42");
    EXPECT_EQ(error_of([] { rnh::parse_command_line({"audit"}); }),
              "audit needs a TARGET: a container's pid, its container id, or a network namespace "
              "path; for example rdma-netns-hook audit 4242, audit CONTAINER_ID or audit "
              "/run/netns/NAME");
    EXPECT_NE(error_of([] {
                  rnh::parse_command_line({"audit", "a", "b"});
              }).find("unexpected argument \"b\""),
              std::string::npos);
    EXPECT_NE(error_of([] {
                  rnh::parse_command_line({"audit", "a", "--output", "f"});
              }).find("unexpected argument \"--output\""),
              std::string::npos);
}

TEST(AuditNodes, KindsByName)
{
    EXPECT_EQ(rnh::node_kind("uverbs0"), "verbs");
    EXPECT_EQ(rnh::node_kind("uverbs12"), "verbs");
    EXPECT_EQ(rnh::node_kind("umad3"), "MAD");
    EXPECT_EQ(rnh::node_kind("issm3"), "MAD");
    EXPECT_EQ(rnh::node_kind("rdma_cm"), "");
    EXPECT_EQ(rnh::node_kind("uverbs"), "");
    EXPECT_EQ(rnh::node_kind("uverbs1x"), "");
    EXPECT_EQ(rnh::node_kind("umad123456"), "");
    EXPECT_EQ(rnh::errno_name(EPERM), "EPERM");
    EXPECT_EQ(rnh::errno_name(EAGAIN), "EAGAIN");
    EXPECT_EQ(rnh::errno_name(4000), "errno 4000");
}

TEST(AuditAssignment, UnionOfTheJournalEntriesOfTheNamespace)
{
    const rnh::NsId pod{4, 100, 7}, other{4, 200, 8};
    std::vector<rnh::Assignment> journal = {held("a", pod, {"mlx5_3", "mlx5_1"}),
                                            held("b", other, {"mlx5_2"}),
                                            held("c", pod, {"mlx5_1", "mlx5_0"})};
    EXPECT_EQ(rnh::assigned_to(journal, pod), (Lines{"mlx5_0", "mlx5_1", "mlx5_3"}));
    EXPECT_EQ(rnh::assigned_to(journal, other), (Lines{"mlx5_2"}));
    EXPECT_EQ(rnh::assigned_to(journal, {4, 300, 9}), Lines{});
    // The kernel reuses nsfs inode numbers; the cookie tells the namespaces apart.
    EXPECT_EQ(rnh::assigned_to(journal, {4, 100, 10}), Lines{});
    EXPECT_EQ(rnh::assigned_to({}, pod), Lines{});
}

TEST(AuditBreaches, ExactlyTheAssignedDeviceOnEveryPathIsClean)
{
    EXPECT_EQ(find_breaches(NetnsMode::exclusive, isolated_view(), {"rxe0"}), Lines{});
    // A namespace given nothing that reaches nothing is clean too.
    AuditView empty;
    empty.sysfs = Lines{};
    empty.nodes = {{"uverbs0", "rxe0", EPERM}};
    empty.rdma_cm = 0;
    EXPECT_EQ(find_breaches(NetnsMode::exclusive, empty, {}), Lines{});
}

TEST(AuditBreaches, ADeviceNotAssignedIsNamedOncePerPath)
{
    auto view = isolated_view();
    view.netlink.push_back("rxe1");
    view.sysfs->push_back("rxe1");
    view.nodes[1].error = 0; // uverbs1
    view.nodes[5].error = 0; // issm1
    EXPECT_EQ(find_breaches(NetnsMode::exclusive, view, {"rxe0"}),
              (Lines{"rxe1 was not assigned to the target, but RDMA netlink lists it",
                     "rxe1 was not assigned to the target, but sysfs lists it "
                     "(/sys/class/infiniband/rxe1)",
                     "rxe1 was not assigned to the target, but its verbs node "
                     "/dev/infiniband/uverbs1 opens",
                     "rxe1 was not assigned to the target, but its MAD node "
                     "/dev/infiniband/issm1 opens"}));
}

TEST(AuditBreaches, AnAssignedDeviceThatIsGoneIsNamed)
{
    // rxe0 deleted while assigned: no netlink entry, no sysfs entry, no node.
    AuditView view;
    view.sysfs = Lines{};
    view.nodes = {{"uverbs1", "rxe1", EPERM}};
    EXPECT_EQ(find_breaches(NetnsMode::exclusive, view, {"rxe0"}),
              (Lines{"rxe0 was assigned to the target, but is missing from RDMA netlink and "
                     "sysfs (/sys/class/infiniband)"}));
    view.sysfs.reset(); // sysfs not checked: only netlink can miss it
    EXPECT_EQ(find_breaches(NetnsMode::exclusive, view, {"rxe0"}),
              (Lines{"rxe0 was assigned to the target, but is missing from RDMA netlink"}));
}

TEST(AuditBreaches, AnAssignedDeviceWhoseNodeRefusesIsNamedButABusySmNodeIsNot)
{
    auto view = isolated_view();
    view.nodes[0].error = EPERM;  // uverbs0
    view.nodes[4].error = EAGAIN; // issm0: an SM holds it; says nothing about isolation
    EXPECT_EQ(find_breaches(NetnsMode::exclusive, view, {"rxe0"}),
              (Lines{"rxe0 was assigned to the target, but its verbs node /dev/infiniband/uverbs0 "
                     "refuses to open (EPERM)"}));
}

TEST(AuditBreaches, ANodeOfNoKnownDeviceThatOpensIsABreach)
{
    auto view = isolated_view();
    view.nodes.push_back({"uverbs7", "", 0});
    view.nodes.push_back({"uverbs8", "", ENXIO});
    EXPECT_EQ(find_breaches(NetnsMode::exclusive, view, {"rxe0"}),
              (Lines{"/dev/infiniband/uverbs7 opens, but the host's sysfs names no RDMA device "
                     "for it"}));
}

TEST(AuditBreaches, SharedModeIsOneLineWithTheRemedy)
{
    AuditView view;
    view.netlink = {"rxe0", "rxe1"};
    view.sysfs = Lines{"rxe0", "rxe1"};
    view.nodes = {{"uverbs0", "rxe0", 0}, {"uverbs1", "rxe1", 0}};
    view.rdma_cm = 0;
    EXPECT_EQ(find_breaches(NetnsMode::shared, view, {}),
              (Lines{"the RDMA subsystem is in shared network namespace mode, so nothing is "
                     "isolated: the target sees every RDMA device (rxe0, rxe1); switch to "
                     "exclusive mode: `rdma system set netns exclusive` before any container "
                     "starts, or boot with `options ib_core netns_mode=0` in /etc/modprobe.d"}));
}

TEST(AuditRender, TableHasADeviceARowAndAPathAColumn)
{
    rnh::AuditReport report;
    report.target = "container r1 (pid 77)";
    report.netns = {4, 4026532290};
    report.assigned = {"rxe0"};
    report.view = isolated_view();
    EXPECT_EQ(rnh::render_table(report, {}),
              "audit of container r1 (pid 77), network namespace 4:4026532290\n"
              "netns mode: exclusive\n"
              "assigned by the journal: rxe0\n"
              "sysfs: the target's own /sys\n"
              "\n"
              "DEVICE  ASSIGNED  NETLINK  SYSFS   VERBS          MAD\n"
              "rxe0    yes       listed   listed  uverbs0 opens  umad0 opens, issm0 opens\n"
              "rxe1    no        -        -       uverbs1 EPERM  umad1 EPERM, issm1 EPERM\n"
              "\n"
              "rdma_cm: opens (not per device: the connection manager binds what it creates to "
              "the target's network namespace)\n"
              "result: the target reaches exactly the devices assigned to it\n");
}

TEST(AuditRender, TableOfAGoneDeviceAndAnUncheckedSysfs)
{
    rnh::AuditReport report;
    report.target = "network namespace /run/netns/x";
    report.netns = {4, 9};
    report.assigned = {"rxe0"};
    report.view.sysfs_source = "not checked: the target has no /sys/class/infiniband";
    report.view.nodes = {{"uverbs9", "", ENXIO}};
    EXPECT_EQ(rnh::render_table(report, {"one", "two"}),
              "audit of network namespace /run/netns/x, network namespace 4:9\n"
              "netns mode: exclusive\n"
              "assigned by the journal: rxe0\n"
              "sysfs: not checked: the target has no /sys/class/infiniband\n"
              "\n"
              "DEVICE  ASSIGNED  NETLINK  SYSFS  VERBS          MAD\n"
              "rxe0    yes       -        n/a    -              -\n"
              "?       -         -        -      uverbs9 ENXIO  -\n"
              "\n"
              "rdma_cm: no /dev/infiniband/rdma_cm node\n"
              "result: 2 breaches, one line each on stderr\n");
}

TEST(AuditRender, Json)
{
    rnh::AuditReport report;
    report.target = "process 77";
    report.netns = {4, 4026532290};
    report.mode = NetnsMode::exclusive;
    report.assigned = {"rxe0"};
    report.view = isolated_view();
    report.view.nodes.push_back({"uverbs7", "", ENXIO});
    auto doc = nlohmann::json::parse(rnh::render_json(report, {"a breach"}));
    EXPECT_EQ(doc["target"], "process 77");
    EXPECT_EQ(doc["netns"], nlohmann::json::parse(R"({"dev":4,"ino":4026532290})"));
    EXPECT_EQ(doc["netns_mode"], "exclusive");
    EXPECT_EQ(doc["assigned"], nlohmann::json::parse(R"(["rxe0"])"));
    EXPECT_EQ(doc["sysfs_checked"], true);
    ASSERT_EQ(doc["devices"].size(), 2u);
    EXPECT_EQ(doc["devices"][0], nlohmann::json::parse(R"({
        "name": "rxe0", "assigned": true, "netlink": true, "sysfs": true, "nodes": [
          {"path": "/dev/infiniband/uverbs0", "kind": "verbs", "opens": true, "error": null},
          {"path": "/dev/infiniband/umad0", "kind": "MAD", "opens": true, "error": null},
          {"path": "/dev/infiniband/issm0", "kind": "MAD", "opens": true, "error": null}]})"));
    EXPECT_EQ(doc["devices"][1]["name"], "rxe1");
    EXPECT_EQ(doc["devices"][1]["assigned"], false);
    EXPECT_EQ(doc["devices"][1]["nodes"][0]["error"], "EPERM");
    EXPECT_EQ(doc["unnamed_nodes"], nlohmann::json::parse(R"([
        {"path": "/dev/infiniband/uverbs7", "kind": "verbs", "opens": false, "error": "ENXIO"}])"));
    EXPECT_EQ(doc["rdma_cm"],
              nlohmann::json::parse(R"({"present":true,"opens":true,"error":null})"));
    EXPECT_EQ(doc["breaches"], nlohmann::json::parse(R"(["a breach"])"));
    EXPECT_EQ(doc["clean"], false);

    report.view.sysfs.reset();
    report.view.rdma_cm.reset();
    doc = nlohmann::json::parse(rnh::render_json(report, {}));
    EXPECT_EQ(doc["sysfs_checked"], false);
    EXPECT_TRUE(doc["devices"][0]["sysfs"].is_null());
    EXPECT_EQ(doc["rdma_cm"]["present"], false);
    EXPECT_EQ(doc["clean"], true);
}

TEST(AuditProbeReport, RoundTripsAndRefusesWhatIsMalformed)
{
    auto view = isolated_view();
    EXPECT_EQ(rnh::view_from_json(rnh::view_to_json(view), "r"), view);
    view.sysfs.reset();
    view.rdma_cm.reset();
    view.nodes.push_back({"uverbs3", "", ENXIO});
    EXPECT_EQ(rnh::view_from_json(rnh::view_to_json(view), "r"), view);

    EXPECT_EQ(error_of([] { rnh::view_from_json("[]", "r"); }),
              "r must be a JSON object, not array");
    EXPECT_EQ(error_of([] {
                  rnh::view_from_json(R"({"netlink":[],"sysfs_source":"",
                      "nodes":[{"node":"../../etc/passwd","device":"","error":0}]})",
                                      "r");
              }),
              "r: \"../../etc/passwd\" is not an RDMA character device");
    EXPECT_EQ(error_of([] {
                  rnh::view_from_json(R"({"netlink":[],"sysfs_source":"",
                      "nodes":[{"node":"uverbs0","device":"x","error":-1}]})",
                                      "r");
              }),
              "r: an errno must be an integer from 0 to 4095");
    EXPECT_EQ(error_of([] {
                  rnh::view_from_json(R"({"netlink":[1],"sysfs_source":"","nodes":[]})", "r");
              }),
              "r: \"netlink\" must list strings");
}

namespace {

using rnh::HostPort;
using rnh::NetdevView;
using rnh::PortView;

// A container given rxn0 on the NIC eth0, rxn1 on eth1 staying in the host.
const std::vector<HostPort> no_host_ports;
const Lines host_netdevs = {"eth0", "eth1", "lo"};

} // namespace

TEST(AuditNetdevs, ARoceDeviceWithItsNetdevInsideIsClean)
{
    const std::vector<PortView> ports = {{"rxn0", 1, "eth0", "eth0", "Ethernet"}};
    const std::vector<NetdevView> inside = {{"eth0", "52:54:00:12:34:56"}, {"lo", ""}};
    auto findings = rnh::check_netdevs(ports, inside, no_host_ports, {"eth1", "lo"});
    EXPECT_EQ(findings.warnings, Lines{});
    EXPECT_EQ(findings.breaches, Lines{});
}

TEST(AuditNetdevs, ARoceDeviceWhoseNetdevStayedOutIsAWarningThatSaysWhereAndWhatToAsk)
{
    const std::vector<NetdevView> inside = {{"lo", ""}};
    auto findings = rnh::check_netdevs({{"rxn0", 1, "", "eth0", "Ethernet"}}, inside, no_host_ports,
                                       host_netdevs);
    EXPECT_EQ(findings.warnings,
              Lines{"rxn0's netdev eth0 is in the host: rdma_cm and MLNX_OFED will refuse its "
                    "GIDs; ask with rdma.netns/with-netdevs=true"});
    EXPECT_EQ(findings.breaches, Lines{});
    // In a third namespace; on port 2; no GID to name it by, but an Ethernet port.
    findings =
        rnh::check_netdevs({{"mlx5_0", 2, "", "ens1f1", ""}, {"mlx5_1", 1, "", "", "Ethernet"}},
                           inside, no_host_ports, host_netdevs);
    EXPECT_EQ(findings.warnings,
              (Lines{"mlx5_0 port 2's netdev ens1f1 is neither in the target nor in the host: "
                     "rdma_cm and MLNX_OFED will refuse its GIDs; ask with "
                     "rdma.netns/with-netdevs=true",
                     "mlx5_1 is a RoCE port without a netdev in the target: rdma_cm and "
                     "MLNX_OFED will refuse its GIDs; ask with rdma.netns/with-netdevs=true"}));
}

TEST(AuditNetdevs, AnInfinibandPortNeedsNoNetdev)
{
    auto findings =
        rnh::check_netdevs({{"mlx5_2", 1, "", "", "InfiniBand"}, {"rxn0", 1, "", "", ""}},
                           {{"lo", ""}}, no_host_ports, host_netdevs);
    EXPECT_EQ(findings.warnings, Lines{});
    EXPECT_EQ(findings.breaches, Lines{});
}

TEST(AuditNetdevs, AHostDevicesNetdevInsideIsABreach)
{
    const std::vector<PortView> ports = {{"rxn0", 1, "eth0", "eth0", "Ethernet"}};
    const std::vector<NetdevView> inside = {
        {"eth0", "52:54:00:12:34:56"}, {"eth1", "52:54:00:12:34:57"}, {"lo", ""}};
    const std::vector<HostPort> host = {{"rxn1", 1, "eth1", "52:54:00:12:34:57"}};
    auto findings = rnh::check_netdevs(ports, inside, host, {"lo"});
    EXPECT_EQ(findings.warnings, Lines{});
    EXPECT_EQ(findings.breaches,
              Lines{"netdev eth1 is in the target, but it is bound to port 1 of rxn1, an RDMA "
                    "device of the host the target was not given: return eth1 to the host, or "
                    "give the target rxn1"});
    // Another eth1 of the same name (its MAC differs) is the target's own.
    findings = rnh::check_netdevs(ports, inside, {{"rxn1", 1, "eth1", "52:54:00:99:99:99"}}, {});
    EXPECT_EQ(findings.breaches, Lines{});
    // No MAC to compare (not a default GID): the name decides.
    findings = rnh::check_netdevs(ports, inside, {{"rxn1", 1, "eth1", ""}}, {});
    EXPECT_EQ(findings.breaches.size(), 1u);
}

TEST(AuditRender, TheNetdevsOfThePortsFollowTheTable)
{
    rnh::AuditReport report;
    report.target = "container r1 (pid 77)";
    report.netns = {4, 4026532290};
    report.assigned = {"rxn0"};
    report.view.netlink = {"rxn0"};
    report.view.sysfs = Lines{"rxn0"};
    report.view.sysfs_source = "the target's own /sys";
    report.view.rdma_cm = 0;
    report.view.ports = {{"rxn0", 1, "", "eth0", "Ethernet"},
                         {"rxn0", 2, "eth2", "eth2", ""},
                         {"rxn0", 3, "", "", "InfiniBand"}};
    report.view.netdevs = {{"eth2", "52:54:00:12:34:58"}, {"lo", ""}};
    const auto text = rnh::render_table(report, {}, {"w1", "w2"});
    EXPECT_NE(text.find("rxn0    yes       listed   listed  -      -\n"
                        "\n"
                        "PORT    LINK LAYER  NETDEV  WHERE\n"
                        "rxn0/1  Ethernet    eth0    not inside\n"
                        "rxn0/2  ?           eth2    inside\n"
                        "rxn0/3  InfiniBand  -       -\n"
                        "netdevs inside: eth2, lo\n"
                        "\n"
                        "rdma_cm: opens"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("result: the target reaches exactly the devices assigned to it\n"
                        "2 warnings, one line each on stderr\n"),
              std::string::npos)
        << text;

    auto doc = nlohmann::json::parse(rnh::render_json(report, {}, {"w1"}));
    EXPECT_EQ(doc["ports"][0], nlohmann::json::parse(R"({"device": "rxn0", "port": 1,
        "netdev": "", "gid_netdev": "eth0", "link_layer": "Ethernet"})"));
    EXPECT_EQ(doc["netdevs"][0], nlohmann::json::parse(R"({"name": "eth2",
        "mac": "52:54:00:12:34:58"})"));
    EXPECT_EQ(doc["warnings"], nlohmann::json::parse(R"(["w1"])"));
    EXPECT_EQ(doc["clean"], true);

    EXPECT_EQ(rnh::view_from_json(rnh::view_to_json(report.view), "r"), report.view);
    EXPECT_EQ(error_of([] {
                  rnh::view_from_json(R"({"netlink":[],"sysfs_source":"","nodes":[],
                      "ports":[{"device":"rxn0","port":-1}],"netdevs":[]})",
                                      "r");
              }),
              "r: a port number must be an unsigned 32-bit integer");
    EXPECT_EQ(error_of([] {
                  rnh::view_from_json(R"({"netlink":[],"sysfs_source":"","nodes":[]})", "r");
              }),
              "r: \"ports\" must be an array");
}
