// SPDX-License-Identifier: Apache-2.0
#include "base/escape.hpp"
#include "base/utc.hpp"
#include "hook/commands.hpp"
#include "hook/plan/device_list.hpp"
#include "hook/state/journal.hpp"
#include "oci/request.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <ctime>
#include <iostream>

namespace rnh {
namespace {

// The limits a start set, under its row.
void print_limits(const Assignment& a)
{
    if (a.cni) {
        std::printf(
            "  %-24s limits: none (CNI attachment; use rdma-netns-runtime for pod limits)\n", "");
        return;
    }
    if (a.memlock)
        std::printf("  %-24s memlock %s\n", "", oci::memlock_text(*a.memlock).c_str());
    for (const auto& line : a.rdma_max)
        std::printf("  %-24s rdma.max %s\n", "", line.c_str());
}

void print_assignments(const std::vector<Assignment>& assignments)
{
    if (assignments.empty())
        return;
    std::printf("  %-24s %-7s %-22s %-20s %s\n", "CONTAINER", "PHASE", "NETNS (dev:inode)", "SINCE",
                "DEVICES");
    for (const auto& a : assignments) {
        auto names = listing(names_of(a.devices));
        auto ns = std::to_string(a.netns.dev) + ":" + std::to_string(a.netns.ino);
        std::printf("  %-24s %-7s %-22s %-20s %s\n", a.container_id.c_str(),
                    std::string(phase_name(a.phase)).c_str(), ns.c_str(),
                    utc_timestamp(a.since).c_str(), names.c_str());
        print_limits(a);
        for (const auto& n : a.netdevs)
            std::printf("    netdev %s with %s%s (host: mtu %u, %s, %zu addresses)\n",
                        n.link.name.c_str(), n.device.c_str(),
                        n.not_home ? " NOT HOME: not found; `recover` looks for it again" : "",
                        n.link.mtu, n.link.up ? "up" : "down", n.addresses.size());
    }
}

void print_unreadable(const std::vector<UnreadableEntry>& unreadable)
{
    if (unreadable.empty())
        return;
    std::printf("\nunreadable journal entries (skipped by every command; remove each once its "
                "devices are home):\n");
    for (const auto& u : unreadable)
        std::printf("  %s: %s\n", escaped_line(u.path).c_str(), escaped_line(u.error).c_str());
}

void print_table(nl::NetnsMode mode, const std::vector<nl::Device>& devices,
                 const std::vector<Assignment>& assignments,
                 const std::vector<UnreadableEntry>& unreadable)
{
    std::printf("netns mode: %s\n", mode == nl::NetnsMode::exclusive ? "exclusive" : "shared");
    std::printf("\nRDMA devices in the host namespace:%s\n", devices.empty() ? " none" : "");
    for (const auto& d : devices)
        std::printf("  %-20s index %u\n", d.name.c_str(), d.index);
    std::printf("\nassignments:%s\n", assignments.empty() ? " none" : "");
    print_assignments(assignments);
    print_unreadable(unreadable);
}

void print_json(nl::NetnsMode mode, const std::vector<nl::Device>& devices,
                const std::vector<Assignment>& assignments,
                const std::vector<UnreadableEntry>& unreadable)
{
    nlohmann::json doc;
    doc["netns_mode"] = mode == nl::NetnsMode::exclusive ? "exclusive" : "shared";
    doc["host_devices"] = nlohmann::json::array();
    for (const auto& d : devices)
        doc["host_devices"].push_back({{"name", d.name}, {"index", d.index}});
    doc["assignments"] = nlohmann::json::array();
    for (const auto& a : assignments)
        doc["assignments"].push_back(nlohmann::json::parse(to_json(a)));
    doc["unreadable"] = nlohmann::json::array();
    for (const auto& u : unreadable)
        doc["unreadable"].push_back(
            {{"path", escaped_line(u.path)}, {"error", escaped_line(u.error)}});
    std::cout << doc.dump(2) << "\n";
}

} // namespace

void run_status(const Config& config, bool json)
{
    auto host = rdma_session(config).open();
    auto mode = nl::get_netns_mode(host);
    auto devices = nl::dump_devices(host);
    std::vector<UnreadableEntry> unreadable;
    auto assignments = Journal(config.state_dir).all(&unreadable);
    if (json)
        print_json(mode, devices, assignments, unreadable);
    else
        print_table(mode, devices, assignments, unreadable);
}

} // namespace rnh
