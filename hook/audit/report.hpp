// SPDX-License-Identifier: Apache-2.0
// audit: what a container can reach of the RDMA devices, path by path, against
// what the journal says it was given. The probing is in probe.cpp; what is
// here decides and renders, and is a plain function of its inputs.
#pragma once

#include "hook/audit/netdevs.hpp"
#include "hook/state/journal.hpp"
#include "hook/state/ns_id.hpp"
#include "netlink/rdma.hpp"

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rnh {

// One character device of the target's /dev/infiniband (uverbsN, umadN or
// issmN) and what open() did there.
struct NodeProbe {
    std::string node;   // its name in the target's /dev/infiniband
    std::string device; // the RDMA device behind it, from the host's sysfs; empty: unknown
    int error = 0;      // 0: it opened; otherwise the errno of open()
    bool operator==(const NodeProbe&) const = default;
};

// What the target sees and opens, as a process inside its namespaces found it.
struct AuditView {
    std::vector<std::string> netlink; // RDMA netlink device dump from a socket opened inside
    // /sys/class/infiniband; unset when sysfs could not be checked
    std::optional<std::vector<std::string>> sysfs;
    std::string sysfs_source; // whose /sys that was, or why it was not checked
    std::vector<NodeProbe> nodes;
    std::optional<int> rdma_cm;      // errno of opening rdma_cm (0: it opened); unset: no such node
    std::vector<PortView> ports;     // of the devices RDMA netlink lists inside
    std::vector<NetdevView> netdevs; // every netdev inside, sorted by name
    bool operator==(const AuditView&) const = default;
};

struct AuditReport {
    std::string target; // e.g. "container c1 (pid 42)", "network namespace /run/netns/x"
    NsId netns;
    nl::NetnsMode mode = nl::NetnsMode::exclusive;
    std::vector<std::string> assigned; // sorted, no duplicates
    AuditView view;
    std::vector<HostPort> host_ports;      // host RDMA ports whose netdev is not in the host
    std::vector<std::string> host_netdevs; // the host's netdevs
};

// What TARGET names: a number is a pid, anything with a slash a network
// namespace path, anything else a container id (looked up in the journal).
struct AuditTarget {
    enum class Kind { pid, netns_path, container };
    Kind kind;
    std::string text;
    pid_t pid = 0;
};
AuditTarget parse_audit_target(const std::string& text);

// "verbs" for uverbsN, "MAD" for umadN and issmN, empty for any other name.
std::string_view node_kind(std::string_view node);

// The devices the journal gave to the namespace `netns`, from every container
// that holds some there (the containers of a pod share one), sorted.
std::vector<std::string> assigned_to(const std::vector<Assignment>& journal, NsId netns);

// One line per breach, without the program's prefix: a device the target sees
// or opens but was not given (one line per path), a device it was given but
// misses, and shared mode, where nothing is isolated.
std::vector<std::string> find_breaches(nl::NetnsMode mode, const AuditView& view,
                                       const std::vector<std::string>& assigned);

// Rows are devices, columns are paths; the ports' netdevs follow, then the
// breaches and warnings as counts.
std::string render_table(const AuditReport& report, const std::vector<std::string>& breaches,
                         const std::vector<std::string>& warnings = {});
std::string render_json(const AuditReport& report, const std::vector<std::string>& breaches,
                        const std::vector<std::string>& warnings = {});

// How the probe process hands its view to the parent over a pipe.
std::string view_to_json(const AuditView& view);
AuditView view_from_json(std::string_view json, const std::string& what);

// "EPERM" for EPERM; "errno N" for what has no name.
std::string errno_name(int err);

} // namespace rnh
