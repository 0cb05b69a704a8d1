#include "hook/sysfs.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

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

std::map<std::string, std::string> read_verbs_nodes(const std::string& sysfs_root)
{
    std::map<std::string, std::string> nodes;
    std::error_code ec;
    for (const auto& entry :
         fs::directory_iterator(fs::path(sysfs_root) / "class/infiniband_verbs", ec)) {
        const auto node = entry.path().filename().string();
        if (!node.starts_with("uverbs"))
            continue;
        std::ifstream ibdev(entry.path() / "ibdev");
        std::string name;
        if (std::getline(ibdev, name) && !name.empty())
            nodes[name] = node;
    }
    return nodes;
}

} // namespace rnh
