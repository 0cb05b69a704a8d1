// SPDX-License-Identifier: Apache-2.0
#include "hook/plan/resolve.hpp"

#include "base/error.hpp"
#include "hook/plan/device_list.hpp"

#include <algorithm>

namespace rnh {
namespace {

const nl::Device* by_index(const std::vector<nl::Device>& devices, std::uint32_t index)
{
    auto it = std::find_if(devices.begin(), devices.end(),
                           [index](const nl::Device& d) { return d.index == index; });
    return it == devices.end() ? nullptr : &*it;
}

class Planner {
public:
    explicit Planner(const Snapshot& snapshot) : snapshot_(snapshot) {}

    // Places the named device in the plan; false when neither side has it.
    bool add(const std::string& name)
    {
        if (const auto* d = find_named(snapshot_.host_devices, name))
            return insert(plan_.to_move, *d);
        if (const auto* d = find_named(snapshot_.target_devices, name))
            return insert(plan_.already_there, *d);
        return false;
    }

    void add_by_netdev(const std::string& netdev)
    {
        bool found = false;
        for (const auto* ports : {&snapshot_.host_ports, &snapshot_.target_ports})
            for (const auto& port : *ports)
                if (port.ndev_name == netdev)
                    found |= add_index(port.dev_index, ports == &snapshot_.host_ports);
        if (!found)
            fail("no RDMA device has a port bound to the network interface \"" + netdev + "\"",
                 "check the name with `rdma link show`; RDMA devices in the host: " +
                     listing(names_of(snapshot_.host_devices)));
    }

    Plan take() { return std::move(plan_); }

private:
    bool add_index(std::uint32_t index, bool in_host)
    {
        const auto& devices = in_host ? snapshot_.host_devices : snapshot_.target_devices;
        const auto* d = by_index(devices, index);
        return d != nullptr && add(d->name);
    }

    static bool insert(std::vector<nl::Device>& list, const nl::Device& d)
    {
        if (find_named(list, d.name) == nullptr)
            list.push_back(d);
        return true;
    }

    const Snapshot& snapshot_;
    Plan plan_;
};

} // namespace

Plan resolve(const oci::Request& request, const Snapshot& snapshot)
{
    Planner planner(snapshot);
    for (const auto& name : request.devices)
        if (!planner.add(name))
            fail("no RDMA device named \"" + name + "\" in the host network namespace",
                 "RDMA devices in the host: " + listing(names_of(snapshot.host_devices)) +
                     "; `rdma-netns-hook status` shows devices held by containers");
    for (const auto& netdev : request.netdevs)
        planner.add_by_netdev(netdev);
    for (const auto& address : request.pci) {
        auto it = snapshot.pci.find(address);
        if (it == snapshot.pci.end() || !it->second.exists)
            fail("no PCI device " + address + " on this host", "check it with `lspci -D`");
        if (it->second.rdma_devices.empty())
            fail("PCI device " + address + " has no RDMA device in the host network namespace",
                 "it may be held by another container, or its RDMA driver is not loaded");
        for (const auto& name : it->second.rdma_devices)
            if (!planner.add(name))
                fail("RDMA device \"" + name + "\" of PCI device " + address +
                     " is not in the host network namespace");
    }
    return planner.take();
}

} // namespace rnh
