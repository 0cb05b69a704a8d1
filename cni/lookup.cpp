// SPDX-License-Identifier: Apache-2.0
#include "cni/lookup.hpp"

#include "base/error.hpp"
#include "hook/kernel/dumps.hpp"
#include "hook/kernel/gid_table.hpp"
#include "hook/plan/device_list.hpp"
#include "hook/plan/roce_gid.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace rnh::cni {
namespace {

namespace fs = std::filesystem;

// A port of `device` has a GID entry on the netdev named `iface.name`, the
// default one of its MAC when the result gives a MAC.
bool has_gid_on(const std::string& sysfs_root, const std::string& device,
                const SandboxInterface& iface)
{
    const auto gid = default_gid(iface.mac);
    const auto table = read_gid_table(sysfs_root, device);
    return std::any_of(table.begin(), table.end(), [&](const GidEntry& e) {
        return e.netdev == iface.name && (!gid || e.gid == *gid);
    });
}

} // namespace

std::vector<std::string> aux_rdma_devices(const std::string& sysfs_root, const std::string& name)
{
    const auto dir = fs::path(sysfs_root) / "bus/auxiliary/devices" / name;
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        fail("no auxiliary device " + name + " on this host (\"deviceID\")",
             "check it with `ls /sys/bus/auxiliary/devices`");
    std::vector<std::string> devices;
    for (const auto& entry : fs::directory_iterator(dir / "infiniband", ec))
        devices.push_back(entry.path().filename().string());
    if (devices.empty())
        fail("auxiliary device " + name + " has no RDMA device in the host network namespace",
             "it may be held by another pod, or its RDMA driver is not loaded");
    std::sort(devices.begin(), devices.end());
    return devices;
}

void require_in_sandbox(const SandboxInterface& iface, const std::vector<nl::Link>& links,
                        const std::string& netns)
{
    const auto it = std::find_if(links.begin(), links.end(),
                                 [&](const nl::Link& l) { return l.name == iface.name; });
    const std::string hint = "the previous plugin's result (prevResult) must name an interface "
                             "it put into the pod; or name the device in \"deviceID\"";
    if (it == links.end())
        fail("the interface " + iface.name + " of prevResult is not in CNI_NETNS " + netns +
                 ", so no RDMA device is derived from it",
             hint);
    auto lower = [](std::string text) {
        std::transform(text.begin(), text.end(), text.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return text;
    };
    if (!iface.mac.empty() && lower(iface.mac) != it->mac)
        fail("the interface " + iface.name + " in CNI_NETNS " + netns + " has MAC " + it->mac +
                 ", not " + iface.mac + " as prevResult says, so no RDMA device is derived from it",
             hint);
}

std::string device_bound_to(const SandboxInterface& iface, nl::Socket& host,
                            const std::string& sysfs_root)
{
    // A port bound to a netdev in the sandbox names none in the host; its
    // GID table does (hook/kernel/gid_table.hpp).
    const auto devices = nl::dump_devices(host);
    const auto ports = dump_all_ports(host, devices);
    std::vector<std::string> found;
    for (const auto& d : devices) {
        const bool netdev_in_host = std::any_of(ports.begin(), ports.end(), [&](const nl::Port& p) {
            return p.dev_index == d.index && !p.ndev_name.empty();
        });
        if (!netdev_in_host && has_gid_on(sysfs_root, d.name, iface))
            found.push_back(d.name);
    }
    if (found.size() != 1)
        fail(found.empty() ? "no RDMA device in the host is bound to the interface " + iface.name +
                                 " that the previous plugin moved into the pod"
                           : "RDMA devices " + listing(found) + " are all bound to the interface " +
                                 iface.name + " of the pod",
             "name the device in \"deviceID\", \"devices\", \"netdevs\" or \"pci\"; RDMA devices "
             "in the host: " +
                 listing(names_of(devices)));
    return found.front();
}

} // namespace rnh::cni
