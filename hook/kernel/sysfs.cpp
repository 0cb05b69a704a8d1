// SPDX-License-Identifier: Apache-2.0
#include "hook/kernel/sysfs.hpp"

#include "base/error.hpp"
#include "base/file.hpp"
#include "oci/request.hpp"

#include <algorithm>
#include <filesystem>
#include <utility>

namespace rnh {

namespace fs = std::filesystem;

std::string nearest_pci_function(const std::string& sysfs_root, const std::string& device_link)
{
    std::error_code ec;
    const auto pci_bus = fs::canonical(fs::path(sysfs_root) / "bus/pci", ec);
    if (ec)
        return {};
    const auto top = fs::canonical(fs::path(sysfs_root) / "devices", ec);
    if (ec)
        return {};
    auto dir = fs::canonical(device_link, ec);
    if (ec)
        return {};
    for (; dir != top && dir.has_relative_path(); dir = dir.parent_path()) {
        auto leaf = dir.filename().string();
        if (fs::canonical(dir / "subsystem", ec) == pci_bus && !ec &&
            oci::normal_pci_address(leaf) == leaf)
            return leaf;
    }
    return {};
}

std::map<std::string, std::string> rdma_pci_functions(const std::string& sysfs_root,
                                                      const std::vector<std::string>& devices,
                                                      const std::vector<nl::Port>& ports)
{
    const fs::path root(sysfs_root);
    std::map<std::string, std::string> functions;
    for (const auto& name : devices) {
        auto pci = nearest_pci_function(sysfs_root, root / "class/infiniband" / name / "device");
        for (const auto& port : ports)
            if (pci.empty() && port.dev_name == name && !port.ndev_name.empty())
                pci = nearest_pci_function(sysfs_root,
                                           root / "class/net" / port.ndev_name / "device");
        if (!pci.empty())
            functions[name] = pci;
    }
    return functions;
}

PciFunction read_pci_function(const std::string& sysfs_root, const std::string& address,
                              const std::map<std::string, std::string>& functions)
{
    PciFunction function;
    std::error_code ec;
    function.exists = fs::is_directory(fs::path(sysfs_root) / "bus/pci/devices" / address, ec);
    for (const auto& [name, pci] : functions)
        if (pci == address)
            function.rdma_devices.push_back(name);
    return function;
}

std::map<std::string, std::string> read_verbs_nodes(const std::string& sysfs_root)
{
    std::map<std::string, std::string> nodes;
    std::error_code ec;
    for (const auto& entry :
         fs::directory_iterator(fs::path(sysfs_root) / "class/infiniband_verbs", ec)) {
        const auto node = entry.path().filename().string();
        if (!node.starts_with("uverbs"))
            continue;
        if (auto name = read_first_line(entry.path() / "ibdev"); !name.empty())
            nodes[name] = node;
    }
    return nodes;
}

std::map<std::string, std::vector<std::string>> read_mad_nodes(const std::string& sysfs_root)
{
    // (N, kind) orders umadN before issmN, and port before port.
    std::map<std::string, std::map<std::pair<unsigned long, bool>, std::string>> found;
    std::error_code ec;
    for (const auto& entry :
         fs::directory_iterator(fs::path(sysfs_root) / "class/infiniband_mad", ec)) {
        const auto node = entry.path().filename().string();
        const bool issm = node.starts_with("issm");
        const auto digits = node.substr(4);
        if ((!issm && !node.starts_with("umad")) || digits.empty() || digits.size() > 4 ||
            digits.find_first_not_of("0123456789") != std::string::npos)
            continue;
        if (auto name = read_first_line(entry.path() / "ibdev"); !name.empty())
            found[name][{std::stoul(digits), issm}] = node;
    }
    std::map<std::string, std::vector<std::string>> nodes;
    for (const auto& [name, by_number] : found)
        for (const auto& [key, node] : by_number)
            nodes[name].push_back(node);
    return nodes;
}

void check_verbs_nodes(const std::string& sysfs_root,
                       const std::map<std::string, std::string>& given)
{
    if (given.empty())
        return;
    const auto actual = read_verbs_nodes(sysfs_root);
    for (const auto& [device, node] : given) {
        auto it = actual.find(device);
        if (it == actual.end() || it->second != node)
            fail("RDMA device " + device + " has the verbs node " +
                     (it == actual.end() ? std::string("none") : it->second) +
                     " after the move, but the container was given " + node,
                 "regenerate the CDI spec with `rdma-netns-hook cdi generate` and start the "
                 "container again");
    }
}

} // namespace rnh
