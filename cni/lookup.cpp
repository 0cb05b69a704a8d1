// SPDX-License-Identifier: Apache-2.0
#include "cni/lookup.hpp"

#include "base/error.hpp"
#include "base/file.hpp"
#include "cni/gid.hpp"
#include "hook/kernel/dumps.hpp"
#include "hook/plan/device_list.hpp"

#include <algorithm>
#include <filesystem>

namespace rnh::cni {
namespace {

namespace fs = std::filesystem;

std::string first_line(const fs::path& path)
{
    try {
        auto text = read_file(path, 4096);
        return text.substr(0, text.find('\n'));
    } catch (const Error&) {
        return {}; // an unused GID entry: the kernel answers EINVAL
    }
}

// A port of `device` has a GID entry on the netdev named `iface.name`, the
// default one of its MAC when the result gives a MAC.
bool has_gid_on(const fs::path& device, const SandboxInterface& iface)
{
    const auto gid = default_gid(iface.mac);
    std::error_code ec;
    for (const auto& port : fs::directory_iterator(device / "ports", ec)) {
        std::error_code ec2;
        for (const auto& entry : fs::directory_iterator(port.path() / "gid_attrs/ndevs", ec2)) {
            if (first_line(entry.path()) != iface.name)
                continue;
            if (!gid || first_line(port.path() / "gids" / entry.path().filename()) == *gid)
                return true;
        }
    }
    return false;
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
    // RDMA netlink names a port's netdev only to a socket in the netdev's
    // namespace (fill_port_info() in nldev.c), so a port bound to a netdev in
    // the sandbox shows none here. The GID table does: roce_gid_mgmt.c adds
    // the default GID of a netdev when it registers in its new namespace, and
    // sysfs prints the netdev's current name (print_ndev() in sysfs.c).
    const auto devices = nl::dump_devices(host);
    const auto ports = dump_all_ports(host, devices);
    std::vector<std::string> found;
    for (const auto& d : devices) {
        const bool netdev_in_host = std::any_of(ports.begin(), ports.end(), [&](const nl::Port& p) {
            return p.dev_index == d.index && !p.ndev_name.empty();
        });
        if (!netdev_in_host &&
            has_gid_on(fs::path(sysfs_root) / "class/infiniband" / d.name, iface))
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
