// SPDX-License-Identifier: Apache-2.0
#include "hook/cdi.hpp"

#include "base/error.hpp"
#include "base/file.hpp"
#include "hook/commands.hpp"
#include "hook/kernel/sysfs.hpp"
#include "hook/state/journal.hpp"
#include "oci/hook_entry.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <climits>
#include <cstdio>
#include <set>

namespace rnh {
namespace {

nlohmann::json hook_entry(const char* stage, const std::string& path,
                          const std::vector<std::string>& options)
{
    nlohmann::json entry = oci::hook_entry(path, stage, options);
    entry["hookName"] = stage;
    return entry;
}

std::string own_path()
{
    char path[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
    if (n < 0)
        fail_errno("finding this program's path in /proc/self/exe");
    return std::string(path, static_cast<std::size_t>(n));
}

// What one CDI device gives a container, for one RDMA device or several:
// one createRuntime entry per RDMA device. A hook run moves its devices at
// once, and devices that re-register together may trade their verbs numbers
// (each takes the lowest free one, ida_alloc_max() in ib_uverbs_add_one()),
// which the --verbs-node check refuses; the runtime runs entries in turn.
struct Edits {
    nlohmann::json nodes = nlohmann::json::array();
    nlohmann::json hooks = nlohmann::json::array();
    std::string names;

    void add(const CdiDevice& device, const std::string& hook_path)
    {
        std::vector<std::string> move_args = {"--device", device.name};
        if (device.verbs_node) {
            nodes.push_back({{"path", "/dev/infiniband/" + *device.verbs_node}});
            move_args.insert(move_args.end(),
                             {"--verbs-node", device.name + "=" + *device.verbs_node});
        }
        if (device.with_netdevs)
            move_args.push_back("--with-netdevs");
        for (const auto& node : device.mad_nodes)
            nodes.push_back({{"path", "/dev/infiniband/" + node}});
        hooks.push_back(hook_entry("createRuntime", hook_path, move_args));
        names += (names.empty() ? "" : ",") + device.name;
    }

    nlohmann::json device(const std::string& name, const std::string& hook_path) const
    {
        auto all_nodes = nodes;
        all_nodes.push_back({{"path", "/dev/infiniband/rdma_cm"}});
        auto all_hooks = hooks;
        all_hooks.push_back(hook_entry("poststop", hook_path, {}));
        return {
            {"name", name},
            {"containerEdits",
             {{"env", {std::string(cdi_env) + "=" + names}},
              {"deviceNodes", all_nodes},
              {"hooks", all_hooks}}},
        };
    }
};

// The devices a spec names: those in the host, and those the journal says
// containers hold, as long as they exist (the verbs class is not namespaced:
// a device anywhere has its node here). A device moving into a container
// thus stays in a spec regenerated meanwhile, with the same nodes.
std::vector<CdiDevice> spec_devices(const Config& config, const Invocation& args)
{
    auto host = rdma_session(config).open();
    const auto verbs = read_verbs_nodes(config.sysfs_root);
    const auto mad = args.cdi_mad_nodes ? read_mad_nodes(config.sysfs_root)
                                        : std::map<std::string, std::vector<std::string>>{};
    std::set<std::string> names;
    for (const auto& d : nl::dump_devices(host))
        names.insert(d.name);
    for (const auto& assignment : Journal(config.state_dir).all())
        for (const auto& d : assignment.devices)
            if (verbs.contains(d.name))
                names.insert(d.name);
    std::vector<CdiDevice> devices;
    for (const auto& name : names) {
        CdiDevice device{name, std::nullopt, {}, args.with_netdevs};
        if (auto it = verbs.find(name); it != verbs.end())
            device.verbs_node = it->second;
        if (auto it = mad.find(name); it != mad.end())
            device.mad_nodes = it->second;
        devices.push_back(std::move(device));
    }
    return devices;
}

} // namespace

std::string cdi_spec(const std::vector<CdiDevice>& devices, const std::string& hook_path)
{
    nlohmann::json list = nlohmann::json::array();
    Edits all;
    for (const auto& device : devices) {
        if (device.name == cdi_all)
            fail(std::string("an RDMA device is named \"") + cdi_all +
                     "\", the name of the CDI device that stands for every device",
                 std::string("rename it, e.g. rdma dev set ") + cdi_all + " name " + cdi_all +
                     "0, and generate the spec again");
        Edits one;
        one.add(device, hook_path);
        list.push_back(one.device(device.name, hook_path));
        all.add(device, hook_path);
    }
    if (!devices.empty())
        list.push_back(all.device(cdi_all, hook_path));
    nlohmann::json spec = {{"cdiVersion", cdi_version}, {"kind", cdi_kind}, {"devices", list}};
    return spec.dump(2) + "\n";
}

bool write_cdi_spec(const std::string& path, const std::string& spec)
{
    // Runs on every udev event of an RDMA device, moves into containers
    // included; engines that watch the CDI directories reload a rewritten spec.
    try {
        if (read_file(path, spec.size() + 1) == spec)
            return false;
    } catch (const Error&) {
        // absent, unreadable or longer: written anew
    }
    write_file_atomic(path, spec, 0644);
    return true;
}

void run_cdi_generate(const Config& config, const Invocation& args)
{
    auto spec = cdi_spec(spec_devices(config, args), own_path());
    if (args.output)
        write_cdi_spec(*args.output, spec);
    else
        std::fputs(spec.c_str(), stdout);
}

} // namespace rnh
