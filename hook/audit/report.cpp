// SPDX-License-Identifier: Apache-2.0
#include "hook/audit/report.hpp"

#include "base/error.hpp"
#include "base/json.hpp"
#include "hook/plan/device_list.hpp"
#include "hook/plan/netns_mode.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <set>

namespace rnh {
namespace {

constexpr std::string_view dev_dir = "/dev/infiniband/";

bool contains(const std::vector<std::string>& names, const std::string& name)
{
    return std::find(names.begin(), names.end(), name) != names.end();
}

// An issm node whose semaphore an SM holds: open() answers EAGAIN before the
// kernel checks the namespace, so it says nothing about isolation.
bool undecided(int error)
{
    return error == EAGAIN;
}

std::string node_outcome(const NodeProbe& probe)
{
    return probe.error == 0 ? "opens" : errno_name(probe.error);
}

std::vector<const NodeProbe*> nodes_of(const AuditView& view, const std::string& device,
                                       std::string_view kind)
{
    std::vector<const NodeProbe*> found;
    for (const auto& probe : view.nodes)
        if (probe.device == device && node_kind(probe.node) == kind)
            found.push_back(&probe);
    return found;
}

// Every device the report has something to say about, sorted; "" (nodes the
// host's sysfs names no device for) last.
std::vector<std::string> rows_of(const AuditReport& report)
{
    std::set<std::string> names(report.assigned.begin(), report.assigned.end());
    names.insert(report.view.netlink.begin(), report.view.netlink.end());
    if (report.view.sysfs)
        names.insert(report.view.sysfs->begin(), report.view.sysfs->end());
    bool unnamed = false;
    for (const auto& probe : report.view.nodes) {
        if (probe.device.empty())
            unnamed = true;
        else
            names.insert(probe.device);
    }
    std::vector<std::string> rows(names.begin(), names.end());
    if (unnamed)
        rows.push_back("");
    return rows;
}

std::string cell(const std::vector<const NodeProbe*>& probes)
{
    if (probes.empty())
        return "-";
    std::string text;
    for (const auto* probe : probes)
        text += (text.empty() ? "" : ", ") + probe->node + " " + node_outcome(*probe);
    return text;
}

std::string rdma_cm_text(const std::optional<int>& rdma_cm)
{
    if (!rdma_cm)
        return "no /dev/infiniband/rdma_cm node";
    if (*rdma_cm != 0)
        return "refused (" + errno_name(*rdma_cm) + ")";
    return "opens (not per device: the connection manager binds what it creates to the "
           "target's network namespace)";
}

void check_node_name(const std::string& node, const std::string& what)
{
    if (node == "rdma_cm" || node_kind(node).empty())
        fail(what + ": \"" + node + "\" is not an RDMA character device");
}

// Columns two blanks apart, each as wide as its widest cell.
std::string aligned(const std::vector<std::vector<std::string>>& table)
{
    std::vector<std::size_t> widths(table.front().size(), 0);
    for (const auto& row : table)
        for (std::size_t c = 0; c < row.size(); ++c)
            widths[c] = std::max(widths[c], row[c].size());
    std::string out;
    for (const auto& row : table) {
        std::string line;
        for (std::size_t c = 0; c < row.size(); ++c) {
            line += row[c];
            if (c + 1 < row.size())
                line += std::string(widths[c] - row[c].size() + 2, ' ');
        }
        out += line + "\n";
    }
    return out;
}

// The ports of the devices the target sees and their netdevs, then every
// netdev inside; nothing when the probe found neither.
std::string netdev_table(const AuditView& view)
{
    if (view.ports.empty() && view.netdevs.empty())
        return {};
    std::string out = "\n";
    if (!view.ports.empty()) {
        std::vector<std::vector<std::string>> table = {{"PORT", "LINK LAYER", "NETDEV", "WHERE"}};
        for (const auto& port : view.ports) {
            const auto& name = port.netdev.empty() ? port.gid_netdev : port.netdev;
            table.push_back({port.device + "/" + std::to_string(port.port),
                             port.link_layer.empty() ? "?" : port.link_layer,
                             name.empty() ? "-" : name,
                             !port.netdev.empty() ? "inside"
                             : name.empty()       ? "-"
                                                  : "not inside"});
        }
        out += aligned(table);
    }
    std::string names;
    for (const auto& netdev : view.netdevs)
        names += (names.empty() ? "" : ", ") + netdev.name;
    return out + "netdevs inside: " + (names.empty() ? "none" : names) + "\n";
}

nlohmann::json ports_json(const std::vector<PortView>& ports)
{
    nlohmann::json out = nlohmann::json::array();
    for (const auto& port : ports)
        out.push_back({{"device", port.device},
                       {"port", port.port},
                       {"netdev", port.netdev},
                       {"gid_netdev", port.gid_netdev},
                       {"link_layer", port.link_layer}});
    return out;
}

nlohmann::json netdevs_json(const std::vector<NetdevView>& netdevs)
{
    nlohmann::json out = nlohmann::json::array();
    for (const auto& netdev : netdevs)
        out.push_back({{"name", netdev.name}, {"mac", netdev.mac}});
    return out;
}

} // namespace

std::string errno_name(int err)
{
    if (const char* name = ::strerrorname_np(err))
        return name;
    return "errno " + std::to_string(err);
}

AuditTarget parse_audit_target(const std::string& text)
{
    const std::string forms = "give a container's pid, its container id, or a network "
                              "namespace path such as /run/netns/NAME";
    if (text.empty())
        fail("audit: the target is empty", forms);
    if (text.find('/') != std::string::npos)
        return {AuditTarget::Kind::netns_path, text};
    if (text.find_first_not_of("0123456789") == std::string::npos) {
        if (text.size() > 10 || std::stoll(text) > INT_MAX || std::stoll(text) == 0)
            fail("audit: " + text + " is not a process id", forms);
        return {AuditTarget::Kind::pid, text, static_cast<pid_t>(std::stoll(text))};
    }
    return {AuditTarget::Kind::container, text};
}

std::string_view node_kind(std::string_view node)
{
    auto numbered = [node](std::string_view prefix) {
        return node.starts_with(prefix) && node.size() > prefix.size() &&
               node.size() <= prefix.size() + 4 &&
               node.find_first_not_of("0123456789", prefix.size()) == std::string_view::npos;
    };
    if (numbered("uverbs"))
        return "verbs";
    if (numbered("umad") || numbered("issm"))
        return "MAD";
    return {};
}

std::vector<std::string> assigned_to(const std::vector<Assignment>& journal, NsId netns)
{
    std::set<std::string> names;
    for (const auto& a : journal)
        if (a.netns == netns)
            for (const auto& d : a.devices)
                names.insert(d.name);
    return {names.begin(), names.end()};
}

std::vector<std::string> find_breaches(nl::NetnsMode mode, const AuditView& view,
                                       const std::vector<std::string>& assigned)
{
    std::vector<std::string> breaches;
    if (mode == nl::NetnsMode::shared)
        breaches.push_back(
            "the RDMA subsystem is in shared network namespace mode, so nothing is isolated: "
            "the target sees every RDMA device (" +
            listing(view.netlink) + "); " + shared_mode_remedy);

    // Given, but out of reach.
    for (const auto& name : assigned) {
        std::vector<std::string> missing;
        if (!contains(view.netlink, name))
            missing.push_back("RDMA netlink");
        if (view.sysfs && !contains(*view.sysfs, name))
            missing.push_back("sysfs (/sys/class/infiniband)");
        if (!missing.empty()) {
            std::string paths;
            for (std::size_t i = 0; i < missing.size(); ++i)
                paths += (i == 0 ? "" : " and ") + missing[i];
            breaches.push_back(name + " was assigned to the target, but is missing from " + paths);
        }
        for (const auto& probe : view.nodes)
            if (probe.device == name && probe.error != 0 && !undecided(probe.error))
                breaches.push_back(name + " was assigned to the target, but its " +
                                   std::string(node_kind(probe.node)) + " node " +
                                   std::string(dev_dir) + probe.node + " refuses to open (" +
                                   errno_name(probe.error) + ")");
    }

    // Reachable, but not given. In shared mode that is every device, said above.
    if (mode == nl::NetnsMode::shared)
        return breaches;
    const auto not_given = [](const std::string& name) {
        return name + " was not assigned to the target, but ";
    };
    for (const auto& name : view.netlink)
        if (!contains(assigned, name))
            breaches.push_back(not_given(name) + "RDMA netlink lists it");
    if (view.sysfs)
        for (const auto& name : *view.sysfs)
            if (!contains(assigned, name))
                breaches.push_back(not_given(name) + "sysfs lists it (/sys/class/infiniband/" +
                                   name + ")");
    for (const auto& probe : view.nodes) {
        if (probe.error != 0)
            continue;
        const auto path = std::string(dev_dir) + probe.node;
        if (probe.device.empty())
            breaches.push_back(path + " opens, but the host's sysfs names no RDMA device for it");
        else if (!contains(assigned, probe.device))
            breaches.push_back(not_given(probe.device) + "its " +
                               std::string(node_kind(probe.node)) + " node " + path + " opens");
    }
    return breaches;
}

std::string render_table(const AuditReport& report, const std::vector<std::string>& breaches,
                         const std::vector<std::string>& warnings)
{
    const auto& view = report.view;
    std::string out = "audit of " + report.target + ", network namespace " +
                      std::to_string(report.netns.dev) + ":" + std::to_string(report.netns.ino) +
                      "\n";
    out += "netns mode: " + std::string(nl::to_string(report.mode)) + "\n";
    out += "assigned by the journal: " + listing(report.assigned) + "\n";
    out += "sysfs: " + view.sysfs_source + "\n\n";

    std::vector<std::vector<std::string>> table = {
        {"DEVICE", "ASSIGNED", "NETLINK", "SYSFS", "VERBS", "MAD"}};
    for (const auto& name : rows_of(report)) {
        std::string assigned = contains(report.assigned, name) ? "yes" : "no";
        std::string sysfs = "n/a";
        if (view.sysfs)
            sysfs = contains(*view.sysfs, name) ? "listed" : "-";
        if (name.empty()) // nodes of no known device
            assigned = sysfs = "-";
        table.push_back({
            name.empty() ? "?" : name,
            assigned,
            contains(view.netlink, name) ? "listed" : "-",
            sysfs,
            cell(nodes_of(view, name, "verbs")),
            cell(nodes_of(view, name, "MAD")),
        });
    }
    out += aligned(table);
    if (table.size() == 1)
        out += "(no RDMA device assigned, seen or opened)\n";

    out += netdev_table(view);

    out += "\nrdma_cm: " + rdma_cm_text(view.rdma_cm) + "\n";
    if (breaches.empty())
        out += "result: the target reaches exactly the devices assigned to it\n";
    else
        out += "result: " + std::to_string(breaches.size()) +
               (breaches.size() == 1 ? " breach" : " breaches") + ", one line each on stderr\n";
    if (!warnings.empty())
        out += std::to_string(warnings.size()) + (warnings.size() == 1 ? " warning" : " warnings") +
               ", one line each on stderr\n";
    return out;
}

std::string render_json(const AuditReport& report, const std::vector<std::string>& breaches,
                        const std::vector<std::string>& warnings)
{
    const auto& view = report.view;
    auto node_json = [](const NodeProbe& probe) {
        nlohmann::json node = {{"path", std::string(dev_dir) + probe.node},
                               {"kind", node_kind(probe.node)},
                               {"opens", probe.error == 0},
                               {"error", nullptr}};
        if (probe.error != 0)
            node["error"] = errno_name(probe.error);
        return node;
    };
    nlohmann::json devices = nlohmann::json::array();
    nlohmann::json unnamed = nlohmann::json::array();
    for (const auto& name : rows_of(report)) {
        nlohmann::json nodes = nlohmann::json::array();
        for (const auto& probe : view.nodes)
            if (probe.device == name)
                nodes.push_back(node_json(probe));
        if (name.empty()) {
            unnamed = nodes;
            continue;
        }
        nlohmann::json sysfs = nullptr;
        if (view.sysfs)
            sysfs = contains(*view.sysfs, name);
        devices.push_back({{"name", name},
                           {"assigned", contains(report.assigned, name)},
                           {"netlink", contains(view.netlink, name)},
                           {"sysfs", sysfs},
                           {"nodes", nodes}});
    }
    nlohmann::json rdma_cm = {
        {"present", view.rdma_cm.has_value()}, {"opens", view.rdma_cm == 0}, {"error", nullptr}};
    if (view.rdma_cm && *view.rdma_cm != 0)
        rdma_cm["error"] = errno_name(*view.rdma_cm);
    nlohmann::json doc = {
        {"target", report.target},
        {"netns", {{"dev", report.netns.dev}, {"ino", report.netns.ino}}},
        {"netns_mode", nl::to_string(report.mode)},
        {"assigned", report.assigned},
        {"sysfs_checked", view.sysfs.has_value()},
        {"sysfs_source", view.sysfs_source},
        {"devices", devices},
        {"unnamed_nodes", unnamed},
        {"rdma_cm", rdma_cm},
        {"ports", ports_json(view.ports)},
        {"netdevs", netdevs_json(view.netdevs)},
        {"breaches", breaches},
        {"warnings", warnings},
        {"clean", breaches.empty()},
    };
    return doc.dump(2) + "\n";
}

std::string view_to_json(const AuditView& view)
{
    nlohmann::json nodes = nlohmann::json::array();
    for (const auto& probe : view.nodes)
        nodes.push_back({{"node", probe.node}, {"device", probe.device}, {"error", probe.error}});
    nlohmann::json doc = {{"netlink", view.netlink},
                          {"sysfs", nullptr},
                          {"sysfs_source", view.sysfs_source},
                          {"nodes", nodes},
                          {"rdma_cm", nullptr},
                          {"ports", ports_json(view.ports)},
                          {"netdevs", netdevs_json(view.netdevs)}};
    if (view.sysfs)
        doc["sysfs"] = *view.sysfs;
    if (view.rdma_cm)
        doc["rdma_cm"] = *view.rdma_cm;
    return doc.dump();
}

AuditView view_from_json(std::string_view json, const std::string& what)
{
    auto doc = parse_json(json, what);
    auto names = [&what](const nlohmann::json& list, const char* key) {
        if (!list.is_array())
            fail(what + ": \"" + key + "\" must be an array");
        std::vector<std::string> out;
        for (const auto& name : list) {
            if (!name.is_string())
                fail(what + ": \"" + key + "\" must list strings");
            out.push_back(name.get<std::string>());
        }
        return out;
    };
    auto error_code = [&what](const nlohmann::json& value) {
        if (!value.is_number_integer() || value.get<long long>() < 0 ||
            value.get<long long>() > 4095)
            fail(what + ": an errno must be an integer from 0 to 4095");
        return value.get<int>();
    };
    AuditView view;
    const auto* netlink = member(doc, "netlink", what);
    if (netlink == nullptr)
        fail(what + " has no \"netlink\"");
    view.netlink = names(*netlink, "netlink");
    if (const auto* sysfs = member(doc, "sysfs", what))
        view.sysfs = names(*sysfs, "sysfs");
    view.sysfs_source = string_member(doc, "sysfs_source", what);
    const auto* nodes = member(doc, "nodes", what);
    if (nodes == nullptr || !nodes->is_array())
        fail(what + ": \"nodes\" must be an array");
    for (const auto& node : *nodes) {
        NodeProbe probe{string_member(node, "node", what), string_member(node, "device", what)};
        check_node_name(probe.node, what);
        const auto* error = member(node, "error", what);
        if (error == nullptr)
            fail(what + ": a node has no \"error\"");
        probe.error = error_code(*error);
        view.nodes.push_back(std::move(probe));
    }
    if (const auto* rdma_cm = member(doc, "rdma_cm", what))
        view.rdma_cm = error_code(*rdma_cm);
    auto array = [&what, &doc](const char* key) {
        const auto* list = member(doc, key, what);
        if (list == nullptr || !list->is_array())
            fail(what + ": \"" + key + "\" must be an array");
        return *list;
    };
    for (const auto& port : array("ports")) {
        const auto* number = member(port, "port", what);
        if (number == nullptr || !number->is_number_unsigned() ||
            number->get<unsigned long long>() > UINT32_MAX)
            fail(what + ": a port number must be an unsigned 32-bit integer");
        view.ports.push_back({string_member(port, "device", what), number->get<std::uint32_t>(),
                              string_member(port, "netdev", what),
                              string_member(port, "gid_netdev", what),
                              string_member(port, "link_layer", what)});
    }
    for (const auto& netdev : array("netdevs"))
        view.netdevs.push_back(
            {string_member(netdev, "name", what), string_member(netdev, "mac", what)});
    return view;
}

} // namespace rnh
