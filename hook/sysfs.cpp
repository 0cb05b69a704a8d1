#include "hook/sysfs.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

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
    static const std::regex pci("[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]");
    std::map<std::string, std::string> addresses;
    for (const auto& name : devices) {
        std::error_code ec;
        auto parent =
            fs::canonical(fs::path(sysfs_root) / "class/infiniband" / name / "device", ec);
        if (!ec && std::regex_match(parent.filename().string(), pci))
            addresses[name] = parent.filename().string();
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
        std::ifstream ibdev(entry.path() / "ibdev");
        std::string name;
        if (std::getline(ibdev, name) && !name.empty())
            nodes[name] = node;
    }
    return nodes;
}

} // namespace rnh
