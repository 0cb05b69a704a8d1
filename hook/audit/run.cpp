// SPDX-License-Identifier: Apache-2.0
// audit TARGET: open the target's namespaces, let the probe look from inside,
// and compare what it saw with the journal (report.cpp decides and renders).
#include "hook/audit/run.hpp"

#include "base/error.hpp"
#include "hook/audit/limits.hpp"
#include "hook/audit/probe.hpp"
#include "hook/audit/report.hpp"
#include "hook/state/journal.hpp"

#include <unistd.h>

#include <cstdio>

namespace rnh {
namespace {

TargetNamespaces target_of_pid(pid_t pid, std::string description)
{
    auto ns = namespaces_of_pid(pid, "process " + std::to_string(pid),
                                "give the pid of a process in the container", true);
    return {std::move(description), std::move(ns.net), std::move(ns.mnt)};
}

// A container of the journal: through its process when it still runs in the
// recorded namespace, else through the namespace alone (a path or any process
// in it), without its mount namespace.
TargetNamespaces target_of_container(const Journal& journal, const std::string& id,
                                     const std::string& state_dir)
{
    auto assignment = journal.read(id);
    if (!assignment)
        fail("no container " + id + " in the journal (" + state_dir + ")",
             "the journal lists only containers that hold RDMA devices; to audit another, give "
             "its pid or its network namespace path");
    if (assignment->pid) {
        try {
            auto target =
                target_of_pid(*assignment->pid, "container " + id + " (pid " +
                                                    std::to_string(*assignment->pid) + ")");
            if (target.net.id == assignment->netns)
                return target;
        } catch (const Error&) {
            // gone, or the pid was reused: look for the namespace itself
        }
    }
    auto ns = find_netns(assignment->netns, assignment->netns_path);
    if (!ns)
        fail("the network namespace of container " + id + " is gone",
             "`rdma-netns-hook recover` returns its devices to the host");
    return {"container " + id + " (its process is gone; its network namespace remains)",
            std::move(*ns), Fd()};
}

TargetNamespaces open_target(const AuditTarget& spec, const Journal& journal,
                             const std::string& state_dir)
{
    switch (spec.kind) {
    case AuditTarget::Kind::pid: {
        auto target = target_of_pid(spec.pid, "process " + spec.text);
        for (const auto& a : journal.all())
            if (a.pid == spec.pid && a.netns == target.net.id)
                target.description += " (container " + a.container_id + ")";
        return target;
    }
    case AuditTarget::Kind::netns_path:
        return {"network namespace " + spec.text, netns_at_path(spec.text, "the network namespace"),
                Fd()};
    case AuditTarget::Kind::container:
        break;
    }
    return target_of_container(journal, spec.text, state_dir);
}

} // namespace

bool run_audit(const Config& config, const std::string& target_text, bool json)
{
    if (::geteuid() != 0)
        fail("audit must run as root: it enters the target's network and mount namespaces and "
             "opens the target's device nodes",
             "run it as root, e.g. with sudo");
    const auto spec = parse_audit_target(target_text);
    const Journal journal(config.state_dir);
    const auto target = open_target(spec, journal, config.state_dir);
    if (target.net.id == own_netns().id)
        fail(target.description + " is in the host's network namespace, where the host's RDMA "
                                  "devices belong: there is no assignment to audit",
             "audit a container (its pid, its container id, or its network namespace path); "
             "`rdma-netns-hook status` lists the host's devices");

    const RdmaSession session{config.netlink_timeout, config.move_threads};
    AuditReport report;
    report.target = target.description;
    report.netns = target.net.id;
    {
        auto host = session.open();
        report.mode = nl::get_netns_mode(host);
        report.host_ports = host_ports_elsewhere(host, config.sysfs_root);
    }
    report.host_netdevs = host_netdev_names();
    report.assigned = assigned_to(journal.all(), target.net.id);
    report.view = probe(target, read_node_devices(config.sysfs_root), session);

    auto breaches = find_breaches(report.mode, report.view, report.assigned);
    NetdevFindings netdevs;
    // In shared mode every device is everywhere: the breach above says all.
    if (report.mode == nl::NetnsMode::exclusive)
        netdevs = check_netdevs(report.view.ports, report.view.netdevs, report.host_ports,
                                report.host_netdevs);
    breaches.insert(breaches.end(), netdevs.breaches.begin(), netdevs.breaches.end());
    for (auto& line : audit_limits(journal.all(), target.net.id))
        breaches.push_back(std::move(line));
    const auto text = json ? render_json(report, breaches, netdevs.warnings)
                           : render_table(report, breaches, netdevs.warnings);
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
    for (const auto& line : breaches)
        std::fprintf(stderr, "rdma-netns-hook: %s\n", line.c_str());
    for (const auto& line : netdevs.warnings)
        std::fprintf(stderr, "rdma-netns-hook: warning: %s\n", line.c_str());
    return breaches.empty();
}

} // namespace rnh
