// SPDX-License-Identifier: Apache-2.0
// One start of an assignment, as one object that owns what it opened and
// remembers what it did, so that a failure is undone in one place. The OCI
// hook's prestart and the CNI plugin's ADD are both a start.
#include "hook/start.hpp"

#include "base/error.hpp"
#include "hook/commands.hpp"
#include "hook/kernel/dumps.hpp"
#include "hook/kernel/limits.hpp"
#include "hook/kernel/moves.hpp"
#include "hook/kernel/netdevs.hpp"
#include "hook/kernel/sysfs.hpp"
#include "hook/log.hpp"
#include "hook/plan/device_list.hpp"
#include "hook/plan/policy.hpp"
#include "hook/plan/resolve.hpp"
#include "hook/release.hpp"
#include "hook/state/journal.hpp"
#include "hook/state/locks.hpp"

#include <algorithm>
#include <ctime>

namespace rnh {
namespace {

std::vector<std::string> names_sorted(std::vector<std::string> names)
{
    std::sort(names.begin(), names.end());
    return names;
}

std::vector<std::string> names_in(const Plan& plan)
{
    auto names = names_of(plan.to_move);
    for (const auto& name : names_of(plan.already_there))
        names.push_back(name);
    return names_sorted(std::move(names));
}

nl::Socket open_exclusive(const RdmaSession& session)
{
    auto host = session.open();
    require_exclusive_mode(host);
    return host;
}

class Start {
public:
    Start(const Config& config, Container container,
          const std::map<std::string, std::string>& verbs_nodes);

    // The steps of a start, in order. Nothing moves before the journal says
    // "moving"; any failure after that is undone.
    void run();

private:
    std::vector<std::string> devices_to_lock();
    void refuse_held_elsewhere(const std::vector<std::string>& names) const;
    std::optional<Assignment> earlier_assignment() const;
    Assignment assignment_of(const Plan& plan) const;
    void check_verbs_nodes() const;
    void apply_limits();
    void plan_netdevs_of(const Plan& plan);
    void move_netdevs_in();
    std::vector<std::string> return_netdevs() const;
    [[noreturn]] void undo(const Error& cause) const;

    const Config& config_;
    const RdmaSession session_;
    const Container container_;
    const std::map<std::string, std::string>& verbs_nodes_;
    nl::Socket host_;
    const Netns host_ns_;
    const Netns target_;
    const Journal journal_;
    std::optional<DeviceLocks> locks_;
    std::optional<Assignment> earlier_;
    Assignment attempt_;
    std::vector<nl::Device> moved_;
    const bool with_netdevs_;
    std::vector<Netdev> netdevs_;       // to move with the devices
    std::vector<Netdev> moved_netdevs_; // left the host
};

Start::Start(const Config& config, Container container,
             const std::map<std::string, std::string>& verbs_nodes)
    : config_(config), session_(rdma_session(config)), container_(std::move(container)),
      verbs_nodes_(verbs_nodes), host_(open_exclusive(session_)), host_ns_(own_netns()),
      target_(container_netns(container_)), journal_(config.state_dir),
      with_netdevs_(
          netdevs_go_along(config.policy, config.with_netdevs, container_.request, config.source))
{
    if (target_.id == host_ns_.id)
        fail("container " + container_.state.id + " shares the host's network namespace",
             "give it a network namespace of its own; moving devices into the host's is refused");
}

void Start::run()
{
    const auto locked = devices_to_lock();
    locks_.emplace(config_.state_dir, locked);
    refuse_held_elsewhere(locked);
    const auto& request = container_.request;
    const auto plan =
        resolve(request, take_snapshot(request, host_, target_, session_, config_.sysfs_root));
    for (const auto& name : names_in(plan))
        if (!std::binary_search(locked.begin(), locked.end(), name))
            fail("the RDMA devices of container " + container_.state.id +
                     " changed while it waited for their locks (" + name + ")",
                 "start the container again");

    earlier_ = earlier_assignment();
    attempt_ = assignment_of(plan);
    const auto moving = names_of(plan.to_move);
    if (config_.policy.has_device_rules())
        check_devices(config_.policy, moving, read_pci_addresses(config_.sysfs_root, moving),
                      config_.source);
    check_count(config_.policy, attempt_.devices.size(), config_.source);
    plan_netdevs_of(plan);
    journal_.write(attempt_);
    try {
        move_netdevs_in();
        auto moves = move_in(plan.to_move, target_, session_);
        moved_ = std::move(moves.moved);
        if (!moves.failed.empty())
            throw moves.failed.front().second.wrap("moving RDMA device " +
                                                   moves.failed.front().first.name +
                                                   " into the container's network namespace");
        verify_in(plan.to_move, host_, target_, session_);
        if (!netdevs_.empty()) {
            auto route = open_route_socket(config_.netlink_timeout);
            verify_netdevs_in(netdevs_, route, target_, config_.netlink_timeout);
        }
        check_verbs_nodes();
        apply_limits();
    } catch (...) {
        undo(current_error());
    }
    attempt_.phase = Assignment::Phase::held;
    journal_.write(attempt_);
}

// The devices to lock before looking: the request's names when it has only
// names, otherwise what an unlocked look resolves them to.
std::vector<std::string> Start::devices_to_lock()
{
    const auto& request = container_.request;
    if (request.netdevs.empty() && request.pci.empty())
        return names_sorted(request.devices);
    return names_in(
        resolve(request, take_snapshot(request, host_, target_, session_, config_.sysfs_root)));
}

// A device recorded for a container in another namespace is not ours to take,
// even if the kernel would let us.
void Start::refuse_held_elsewhere(const std::vector<std::string>& names) const
{
    for (const auto& other : journal_.all()) {
        if (other.container_id == container_.state.id || other.netns == target_.id)
            continue;
        for (const auto& held : other.devices)
            for (const auto& name : names)
                if (held.name == name)
                    fail("RDMA device " + name + " is held by container " + other.container_id,
                         "stop that container first; if it is gone, run `rdma-netns-hook "
                         "recover`");
    }
}

// What an earlier prestart of the same container recorded (CDI runs one hook
// entry per device). An assignment of this container id in another namespace
// is left from an earlier start that never stopped cleanly (its hook or
// runtime was killed). Once that namespace is gone its devices are returned,
// so the start can go on.
std::optional<Assignment> Start::earlier_assignment() const
{
    const auto& id = container_.state.id;
    auto earlier = journal_.read(id);
    if (!earlier || earlier->netns == target_.id)
        return earlier;
    if (find_netns(earlier->netns, earlier->netns_path))
        fail("the journal has an assignment for container " + id +
                 " in another network namespace that is still alive",
             "stop the other container of that id first");
    release(config_, journal_, *earlier);
    return std::nullopt;
}

// The container's assignment after this run: the earlier one, and the plan.
Assignment Start::assignment_of(const Plan& plan) const
{
    Assignment a = earlier_.value_or(Assignment{});
    a.container_id = container_.state.id;
    a.netns = target_.id;
    a.netns_path = container_.netns_path;
    if (container_.state.pid)
        a.pid = *container_.state.pid;
    a.cni = container_.cni;
    for (const auto* list : {&plan.to_move, &plan.already_there})
        for (const auto& d : *list)
            if (find_named(a.devices, d.name) == nullptr)
                a.devices.push_back(d);
    if (!earlier_)
        a.since = std::time(nullptr);
    return a;
}

// The verbs node a CDI spec gave the container must still be the device's:
// a device re-registering in a namespace takes the lowest free number.
void Start::check_verbs_nodes() const
{
    if (verbs_nodes_.empty())
        return;
    auto actual = read_verbs_nodes(config_.sysfs_root);
    for (const auto& [device, node] : verbs_nodes_) {
        auto it = actual.find(device);
        if (it == actual.end() || it->second != node)
            fail("RDMA device " + device + " has the verbs node " +
                     (it == actual.end() ? std::string("none") : it->second) +
                     " after the move, but the container was given " + node,
                 "regenerate the CDI spec with `rdma-netns-hook cdi generate` and start the "
                 "container again");
    }
}

// The container's limits, once its devices are in: RLIMIT_MEMLOCK of its
// process (which the workload inherits) and rdma.max of its cgroup for exactly
// the devices it holds. The cgroup's removal ends the limits; nothing to undo.
void Start::apply_limits()
{
    const auto& limits = container_.limits;
    if (!limits.memlock && !limits.rdma)
        return;
    const auto& id = container_.state.id;
    if (!container_.state.pid)
        fail("container " + id + " has no process to set its limits on",
             "remove memlock and policy.rdma_limits from " + config_.source +
                 " for containers named only by a network namespace");
    const auto pid = *container_.state.pid;
    if (limits.memlock) {
        set_memlock(pid, *limits.memlock);
        attempt_.memlock = limits.memlock;
    }
    if (!limits.rdma)
        return;
    const auto dir = rdma_cgroup_dir(config_.sysfs_root, pid);
    if (auto missing = missing_rdma_controller(dir); !missing.empty()) {
        if (config_.rdma_controller_required)
            fail("container " + id + ": " + missing);
        log_warning("container " + id + " starts without policy.rdma_limits: " + missing);
        return;
    }
    std::vector<std::string> lines;
    for (const auto& device : attempt_.devices)
        lines.push_back(rdma_max_line(device.name, *limits.rdma));
    write_rdma_max(dir, lines);
    attempt_.rdma_cgroup = dir;
    attempt_.rdma_max = std::move(lines);
}

// With with-netdevs: the netdevs bound to the ports of the devices to move,
// with their host settings, and those an earlier container of this namespace
// moved with the devices already there; all go into the journal's record.
void Start::plan_netdevs_of(const Plan& plan)
{
    if (!with_netdevs_)
        return;
    auto route = open_route_socket(config_.netlink_timeout);
    netdevs_ = plan_netdevs(plan.to_move, dump_all_ports(host_, plan.to_move),
                            take_link_facts(route, target_, config_.netlink_timeout),
                            config_.allow_default_route_netdev, config_.source);
    record_host_settings(netdevs_, route);
    auto record = [this](const Netdev& n) {
        for (const auto& had : attempt_.netdevs)
            if (had.link.name == n.link.name)
                return;
        attempt_.netdevs.push_back(n);
    };
    for (const auto& other : journal_.all())
        if (other.netns == target_.id)
            for (const auto& n : other.netdevs)
                if (find_named(plan.already_there, n.device) != nullptr)
                    record(n);
    for (const auto& n : netdevs_)
        record(n);
}

// The netdevs go in before their devices (hook/plan/netdevs.hpp says why).
void Start::move_netdevs_in()
{
    if (netdevs_.empty())
        return;
    auto route = open_route_socket(config_.netlink_timeout);
    for (const auto& line :
         rnh::move_netdevs_in(netdevs_, route, target_, config_.netlink_timeout, moved_netdevs_))
        log_warning(line);
}

// After the devices, the netdevs that left the host come back, as they were.
std::vector<std::string> Start::return_netdevs() const
{
    if (moved_netdevs_.empty())
        return {};
    auto failures = send_netdevs_home(moved_netdevs_, target_, host_ns_, config_.netlink_timeout);
    auto restored =
        restore_netdevs_home(moved_netdevs_, config_.netlink_timeout, config_.return_timeout);
    failures.insert(failures.end(), restored.failures.begin(), restored.failures.end());
    return failures;
}

// Undoes a failed start: brings back what moved and, only if nothing was left
// behind, puts the journal back as it was; otherwise it keeps the attempted
// assignment for recovery.
void Start::undo(const Error& cause) const
{
    auto failures = moved_.empty()
                        ? std::vector<std::string>{}
                        : return_failures(move_home(moved_, target_, host_ns_, session_));
    for (auto& line : return_netdevs())
        failures.push_back(std::move(line));
    if (failures.empty()) {
        if (earlier_)
            journal_.write(*earlier_);
        else
            journal_.remove(attempt_.container_id);
        throw cause;
    }
    std::string text = cause.what();
    for (const auto& line : failures)
        text += "; then " + line;
    throw Error(text, 0, "run `rdma-netns-hook recover` once the cause is fixed");
}

} // namespace

void start(const Config& config, Container container,
           const std::map<std::string, std::string>& verbs_nodes)
{
    Start(config, std::move(container), verbs_nodes).run();
}

} // namespace rnh
