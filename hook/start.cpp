// SPDX-License-Identifier: Apache-2.0
// One start of an assignment, as one object that owns what it opened and
// remembers what it did, so that a failure is undone in one place.
#include "hook/start.hpp"

#include "base/error.hpp"
#include "hook/kernel/dumps.hpp"
#include "hook/kernel/limits.hpp"
#include "hook/kernel/moves.hpp"
#include "hook/kernel/netdevs.hpp"
#include "hook/kernel/sysfs.hpp"
#include "hook/kernel/verify.hpp"
#include "hook/log.hpp"
#include "hook/plan/decide.hpp"
#include "hook/plan/device_list.hpp"
#include "hook/release.hpp"
#include "hook/sessions.hpp"
#include "hook/state/journal.hpp"
#include "hook/state/locks.hpp"

#include <algorithm>
#include <ctime>

namespace rnh {
namespace {

std::vector<std::string> names_in(const Plan& plan)
{
    auto names = names_of(plan.to_move);
    for (const auto& name : names_of(plan.already_there))
        names.push_back(name);
    std::sort(names.begin(), names.end());
    return names;
}

nl::Socket open_exclusive(const RdmaSession& session)
{
    auto host = session.open();
    require_exclusive_mode(host);
    return host;
}

class Start {
public:
    Start(const Config& config, const Container& container);

    // The steps of a start, in order. Nothing moves before the journal says
    // "moving"; any failure after that is undone.
    void run();

private:
    Decision look_and_decide(const std::vector<nl::Device>& held);
    std::vector<std::string> devices_to_lock();
    std::vector<nl::Device> held() const;
    void refuse_held_elsewhere(const std::vector<std::string>& names) const;
    std::optional<Assignment> earlier_assignment() const;
    Assignment assignment_of(const Decision& decision) const;
    void move_in(const Decision& decision);
    void apply_limits(const Limits& limits);
    [[noreturn]] void undo(const Error& cause) const;

    const Config& config_;
    const Container& container_;
    const RdmaSession rdma_;
    const RouteSession route_;
    nl::Socket host_;
    const Netns host_ns_;
    const Netns target_;
    const Journal journal_;
    std::optional<DeviceLocks> locks_;
    std::optional<Assignment> earlier_;
    Assignment attempt_;
    std::vector<nl::Device> moved_;
    NetdevCarrier netdevs_;
};

Start::Start(const Config& config, const Container& container)
    : config_(config), container_(container), rdma_(rdma_session(config)),
      route_(route_session(config)), host_(open_exclusive(rdma_)), host_ns_(own_netns()),
      target_(container_netns(container)), journal_(config.state_dir),
      netdevs_(route_, config.return_timeout)
{
    if (target_.id == host_ns_.id)
        fail("container " + container_.id + " shares the host's network namespace",
             "give it a network namespace of its own; moving devices into the host's is refused");
}

void Start::run()
{
    const auto locked = devices_to_lock();
    locks_.emplace(config_.state_dir, locked);
    refuse_held_elsewhere(locked);
    earlier_ = earlier_assignment();
    auto decision = look_and_decide(held());
    for (const auto& name : names_in(decision.plan))
        if (!std::binary_search(locked.begin(), locked.end(), name))
            fail("the RDMA devices of container " + container_.id +
                     " changed while it waited for their locks (" + name + ")",
                 "start the container again");
    netdevs_.record_host_settings(decision.netdevs);
    attempt_ = assignment_of(decision);
    journal_.write(attempt_);
    try {
        move_in(decision);
        verify_in(decision.plan.to_move, decision.netdevs, host_, target_, rdma_, route_);
        check_verbs_nodes(config_.sysfs_root, container_.verbs_nodes);
        apply_limits(decision.limits);
    } catch (...) {
        undo(current_error());
    }
    attempt_.phase = Assignment::Phase::held;
    journal_.write(attempt_);
}

// One look at both namespaces, and every rule applied to it.
Decision Start::look_and_decide(const std::vector<nl::Device>& held)
{
    const SnapshotScope scope{netdevs_wanted(config_, container_.request),
                              pci_addresses_wanted(config_, container_)};
    const auto snapshot =
        take_snapshot(container_.request, scope, host_, target_, rdma_, route_, config_.sysfs_root);
    return decide(config_, container_, snapshot, held);
}

// The devices to lock before looking. For a request of names only: those
// of its names that the host, the container's namespace or the journal knows.
// The journal is read before and after the dumps, so a device on its way
// into another container or home from one is in one of them. Otherwise: what
// an unlocked look resolves the request to. A name of no device gets no lock
// file; the look after locking refuses it.
std::vector<std::string> Start::devices_to_lock()
{
    const auto& request = container_.request;
    if (!request.netdevs.empty() || !request.pci.empty())
        return names_in(look_and_decide({}).plan);
    std::vector<std::string> known;
    auto add_journal = [&] {
        for (const auto& a : journal_.all())
            for (const auto& name : names_of(a.devices))
                known.push_back(name);
    };
    add_journal();
    for (auto& name : names_of(nl::dump_devices(host_)))
        known.push_back(std::move(name));
    rdma_.in(target_, [&](nl::Socket& inside) {
        for (auto& name : names_of(nl::dump_devices(inside)))
            known.push_back(std::move(name));
    });
    add_journal();
    return known_names(request.devices, std::move(known));
}

// What the container holds already, counted against policy.max_devices: what
// its earlier start recorded and, for a CNI attachment, what every entry of
// its network namespace or of its pod (K8S_POD_UID) holds.
std::vector<nl::Device> Start::held() const
{
    auto devices = earlier_ ? earlier_->devices : std::vector<nl::Device>{};
    if (!container_.cni)
        return devices;
    const auto& pod = container_.cni->pod;
    for (const auto& other : journal_.all()) {
        if (other.netns != target_.id && (pod.empty() || !other.cni || other.cni->pod != pod))
            continue;
        for (const auto& d : other.devices)
            if (find_named(devices, d.name) == nullptr)
                devices.push_back(d);
    }
    return devices;
}

// A device recorded for a container in another namespace is not ours to take,
// even if the kernel would let us.
void Start::refuse_held_elsewhere(const std::vector<std::string>& names) const
{
    for (const auto& other : journal_.all()) {
        if (other.container_id == container_.id || other.netns == target_.id)
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
    const auto& id = container_.id;
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

// The container's assignment after this run: the earlier one and the
// decision, and the netdevs that an earlier container of this namespace
// moved with the devices already there.
Assignment Start::assignment_of(const Decision& decision) const
{
    Assignment a = earlier_.value_or(Assignment{});
    a.container_id = container_.id;
    a.netns = target_.id;
    a.netns_path = container_.netns_path;
    if (container_.pid)
        a.pid = *container_.pid;
    a.cni = container_.cni;
    const auto& plan = decision.plan;
    for (const auto* list : {&plan.to_move, &plan.already_there})
        for (const auto& d : *list)
            if (find_named(a.devices, d.name) == nullptr)
                a.devices.push_back(d);
    if (!earlier_)
        a.since = std::time(nullptr);
    auto record = [&a](const Netdev& n) {
        if (std::none_of(a.netdevs.begin(), a.netdevs.end(),
                         [&](const Netdev& had) { return had.link.name == n.link.name; }))
            a.netdevs.push_back(n);
    };
    if (decision.with_netdevs)
        for (const auto& other : journal_.all())
            if (other.netns == target_.id)
                for (const auto& n : other.netdevs)
                    if (find_named(plan.already_there, n.device) != nullptr)
                        record(n);
    for (const auto& n : decision.netdevs)
        record(n);
    return a;
}

// The netdevs go in before their devices (hook/plan/netdevs.hpp says why).
void Start::move_in(const Decision& decision)
{
    for (const auto& line : netdevs_.carry_in(decision.netdevs, target_))
        log_warning(line);
    auto moves = rnh::move_in(decision.plan.to_move, target_, rdma_);
    moved_ = std::move(moves.moved);
    if (!moves.failed.empty())
        throw moves.failed.front().second.wrap("moving RDMA device " +
                                               moves.failed.front().first.name +
                                               " into the container's network namespace");
}

// The container's limits, once its devices are in, for exactly the devices
// it holds.
void Start::apply_limits(const Limits& limits)
{
    if (!limits.memlock && !limits.rdma)
        return;
    auto set = set_limits(*container_.pid, limits, names_of(attempt_.devices), config_.sysfs_root,
                          config_.rdma_controller_required, "container " + container_.id);
    if (!set.skipped.empty())
        log_warning(set.skipped);
    attempt_.memlock = set.memlock;
    attempt_.rdma_cgroup = std::move(set.rdma_cgroup);
    attempt_.rdma_max = std::move(set.rdma_max);
}

// Undoes a failed start: brings back what moved, devices first, then the
// netdevs, and, only if nothing was left behind, puts the journal back as it
// was; otherwise it keeps the attempted assignment for recovery.
void Start::undo(const Error& cause) const
{
    auto failures = moved_.empty() ? std::vector<std::string>{}
                                   : failure_lines(move_home(moved_, target_, host_ns_, rdma_));
    for (auto& line : failure_lines(netdevs_.bring_home(netdevs_.moved(), &target_, host_ns_)))
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

void start(const Config& config, const Container& container)
{
    Start(config, container).run();
}

} // namespace rnh
