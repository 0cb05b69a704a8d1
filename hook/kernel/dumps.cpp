// SPDX-License-Identifier: Apache-2.0
#include "hook/kernel/dumps.hpp"

#include "hook/kernel/netdevs.hpp"
#include "hook/kernel/sysfs.hpp"
#include "hook/plan/device_list.hpp"

namespace rnh {

std::vector<nl::Port> dump_all_ports(nl::Socket& socket, const std::vector<nl::Device>& devices)
{
    std::vector<nl::Port> ports;
    for (const auto& device : devices) {
        auto some = nl::dump_ports(socket, device.index);
        ports.insert(ports.end(), some.begin(), some.end());
    }
    return ports;
}

Snapshot take_snapshot(const oci::Request& request, const SnapshotScope& scope, nl::Socket& host,
                       const Netns& target, const RdmaSession& rdma, const RouteSession& route,
                       const std::string& sysfs_root)
{
    Snapshot snapshot;
    snapshot.host_devices = nl::dump_devices(host);
    rdma.in(target, [&](nl::Socket& inside) {
        snapshot.target_devices = nl::dump_devices(inside);
        if (!request.netdevs.empty())
            snapshot.target_ports = dump_all_ports(inside, snapshot.target_devices);
    });
    if (!request.netdevs.empty() || !request.pci.empty() || scope.links || scope.pci_addresses)
        snapshot.host_ports = dump_all_ports(host, snapshot.host_devices);
    if (scope.links)
        snapshot.links = take_link_facts(route, target);
    // A device without a parent of its own (rxe) is on its port's netdev's function.
    if (scope.pci_addresses)
        snapshot.pci_addresses =
            rdma_pci_functions(sysfs_root, names_of(snapshot.host_devices), snapshot.host_ports);
    if (request.pci.empty())
        return snapshot;
    const auto functions =
        rdma_pci_functions(sysfs_root, names_of(snapshot.host_devices), snapshot.host_ports);
    for (const auto& address : request.pci)
        snapshot.pci[address] = read_pci_function(sysfs_root, address, functions);
    return snapshot;
}

} // namespace rnh
