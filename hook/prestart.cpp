#include "base/error.hpp"
#include "hook/commands.hpp"
#include "hook/confine.hpp"
#include "hook/container.hpp"
#include "hook/devices.hpp"
#include "hook/fault.hpp"
#include "hook/journal.hpp"
#include "hook/moves.hpp"
#include "hook/policy.hpp"
#include "hook/rdma_in.hpp"
#include "hook/release.hpp"
#include "hook/snapshot.hpp"
#include "hook/sysfs.hpp"

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

// The devices to lock before looking: the request's names when it has only
// names, otherwise what an unlocked look resolves them to.
std::vector<std::string> devices_to_lock(const oci::Request& request, nl::Socket& host,
                                         const Netns& target, const Config& config)
{
    if (request.netdevs.empty() && request.pci.empty())
        return names_sorted(request.devices);
    return names_in(resolve(request, take_snapshot(request, host, target, config)));
}

// A device recorded for a container in another namespace is not ours to take,
// even if the kernel would let us.
void refuse_held_elsewhere(const Journal& journal, const std::vector<std::string>& names,
                           const std::string& id, NsId target)
{
    for (const auto& other : journal.all()) {
        if (other.container_id == id || other.netns == target)
            continue;
        for (const auto& held : other.devices)
            for (const auto& name : names)
                if (held.name == name)
                    fail("RDMA device " + name + " is held by container " + other.container_id,
                         "stop that container first; if it is gone, run `rdma-netns-hook "
                         "recover`");
    }
}

// Undoes a failed start: brings back what moved and, only if nothing was left
// behind, puts the journal back as it was; otherwise it keeps the attempted
// assignment for recovery.
[[noreturn]] void roll_back(const Error& cause, const std::vector<nl::Device>& moved,
                            const Netns& target, const Netns& host_ns, const Journal& journal,
                            const Assignment& attempted, const std::optional<Assignment>& earlier,
                            const Config& config)
{
    auto errors =
        moved.empty() ? std::vector<std::string>{} : move_home(moved, target, host_ns, config);
    if (errors.empty()) {
        if (earlier)
            journal.write(*earlier);
        else
            journal.remove(attempted.container_id);
        throw cause;
    }
    std::string text = cause.what();
    for (const auto& line : errors)
        text += "; then " + line;
    throw Error(text, 0, "run `rdma-netns-hook recover` once the cause is fixed");
}

// The container's assignment after this run: what an earlier prestart of the
// same container recorded (CDI runs one hook entry per device), and the plan.
// An assignment of this container id in another namespace is left from an
// earlier start that never stopped cleanly (its hook or runtime was killed).
// Once that namespace is gone its devices are returned, so the start can go on.
std::optional<Assignment> earlier_assignment(const Config& config, const Journal& journal,
                                             const std::string& id, NsId target)
{
    auto earlier = journal.read(id);
    if (!earlier || earlier->netns == target)
        return earlier;
    if (find_netns(earlier->netns, earlier->netns_path))
        fail("the journal has an assignment for container " + id +
                 " in another network namespace that is still alive",
             "stop the other container of that id first");
    release(config, journal, *earlier);
    return std::nullopt;
}

Assignment assignment_of(const Container& container, const Netns& target, const Plan& plan,
                         const std::optional<Assignment>& earlier)
{
    Assignment a = earlier.value_or(Assignment{});
    a.container_id = container.state.id;
    a.netns = target.id;
    a.netns_path = container.netns_path;
    if (container.state.pid)
        a.pid = *container.state.pid;
    for (const auto* list : {&plan.to_move, &plan.already_there})
        for (const auto& d : *list)
            if (find_named(a.devices, d.name) == nullptr)
                a.devices.push_back(d);
    if (!earlier)
        a.since = std::time(nullptr);
    return a;
}

// The verbs node a CDI spec gave the container must still be the device's:
// a device re-registering in a namespace takes the lowest free number.
void check_verbs_nodes(const std::map<std::string, std::string>& expected,
                       const std::string& sysfs_root)
{
    if (expected.empty())
        return;
    auto actual = read_verbs_nodes(sysfs_root);
    for (const auto& [device, node] : expected) {
        auto it = actual.find(device);
        if (it == actual.end() || it->second != node)
            fail("RDMA device " + device + " has the verbs node " +
                     (it == actual.end() ? std::string("none") : it->second) +
                     " after the move, but the container was given " + node,
                 "regenerate the CDI spec with `rdma-netns-hook cdi generate` and start the "
                 "container again");
    }
}

} // namespace

void run_prestart(const Config& config, oci::State state, const HookArguments& extra)
{
    auto container = describe_container(std::move(state), extra.devices);
    if (container.request.empty())
        return;
    check_request(config.policy, container.request, config.source);
    require_privileges();
    confine();

    auto host = open_rdma(config);
    require_exclusive_mode(host);
    auto host_ns = own_netns();
    auto target = container_netns(container);
    if (target.id == host_ns.id)
        fail("container " + container.state.id + " shares the host's network namespace",
             "give it a network namespace of its own; moving devices into the host's is refused");

    auto locked = devices_to_lock(container.request, host, target, config);
    DeviceLocks locks(config.state_dir, locked);
    Journal journal(config.state_dir);
    refuse_held_elsewhere(journal, locked, container.state.id, target.id);
    auto plan = resolve(container.request, take_snapshot(container.request, host, target, config));
    for (const auto& name : names_in(plan))
        if (!std::binary_search(locked.begin(), locked.end(), name))
            fail("the RDMA devices of container " + container.state.id +
                     " changed while it waited for their locks (" + name + ")",
                 "start the container again");

    const auto earlier = earlier_assignment(config, journal, container.state.id, target.id);
    auto assignment = assignment_of(container, target, plan, earlier);
    auto moving = names_of(plan.to_move);
    if (config.policy.has_device_rules())
        check_devices(config.policy, moving, read_pci_addresses(config.sysfs_root, moving),
                      config.source);
    check_count(config.policy, assignment.devices.size(), config.source);
    journal.write(assignment);
    std::vector<nl::Device> moved;
    try {
        move_each(plan.to_move, target, config, moved);
        verify_in(plan.to_move, host, target, config);
        check_verbs_nodes(extra.verbs_nodes, config.sysfs_root);
    } catch (const Error& e) {
        roll_back(e, moved, target, host_ns, journal, assignment, earlier, config);
    }
    assignment.phase = Assignment::Phase::held;
    journal.write(assignment);
    report_usage();
}

} // namespace rnh
