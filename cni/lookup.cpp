// SPDX-License-Identifier: Apache-2.0
#include "cni/lookup.hpp"

#include "base/error.hpp"
#include "hook/kernel/dumps.hpp"
#include "hook/kernel/gid_table.hpp"
#include "hook/plan/device_list.hpp"
#include "hook/plan/roce_gid.hpp"

#include <algorithm>
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
