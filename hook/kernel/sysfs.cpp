// SPDX-License-Identifier: Apache-2.0
#include "hook/kernel/sysfs.hpp"

#include "base/error.hpp"
#include "base/file.hpp"
#include "oci/request.hpp"

#include <algorithm>
#include <filesystem>

namespace rnh {

namespace fs = std::filesystem;

PciFunction read_pci_function(const std::string& sysfs_root, const std::string& address)
{
    const fs::path dir = fs::path(sysfs_root) / "bus/pci/devices" / address;
    PciFunction function;
    std::error_code ec;
    function.exists = fs::is_directory(dir, ec);
    for (const auto& entry : fs::directory_iterator(dir / "infiniband", ec))
        function.rdma_devices.push_back(entry.path().filename().string());
    std::sort(function.rdma_devices.begin(), function.rdma_devices.end());
    return function;
}

std::map<std::string, std::string> read_pci_addresses(const std::string& sysfs_root,
                                                      const std::vector<std::string>& devices)
{
    std::map<std::string, std::string> addresses;
    for (const auto& name : devices) {
        std::error_code ec;
        auto parent =
            fs::canonical(fs::path(sysfs_root) / "class/infiniband" / name / "device", ec);
        const auto leaf = parent.filename().string();
        if (!ec && oci::normal_pci_address(leaf) == leaf)
            addresses[name] = leaf;
    }
    return addresses;
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
        std::string name;
        try {
            name = read_file(entry.path() / "ibdev", 4096);
        } catch (const Error&) {
            continue; // the device went away while we looked
        }
        name = name.substr(0, name.find('\n'));
        if (!name.empty())
            nodes[name] = node;
    }
    return nodes;
}

} // namespace rnh
