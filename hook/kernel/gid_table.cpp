// SPDX-License-Identifier: Apache-2.0
#include "hook/kernel/gid_table.hpp"

#include "base/file.hpp"

#include <charconv>
#include <filesystem>

namespace rnh {
namespace {

namespace fs = std::filesystem;

std::uint32_t number_of(const fs::path& path)
{
    const auto name = path.filename().string();
    std::uint32_t n = 0;
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
    return ec == std::errc() && end == name.data() + name.size() ? n : UINT32_MAX;
}

fs::path port_dir(const std::string& sysfs_root, const std::string& device, std::uint32_t port)
{
    return fs::path(sysfs_root) / "class/infiniband" / device / "ports" / std::to_string(port);
}

} // namespace

GidEntry read_gid_entry(const std::string& sysfs_root, const std::string& device,
                        std::uint32_t port, std::uint32_t index)
{
    const auto dir = port_dir(sysfs_root, device, port);
    const auto i = std::to_string(index);
    return {port, index, read_first_line(dir / "gids" / i),
            read_first_line(dir / "gid_attrs/ndevs" / i)};
}

std::vector<GidEntry> read_gid_table(const std::string& sysfs_root, const std::string& device)
{
    std::vector<GidEntry> table;
    std::error_code ec;
    for (const auto& port :
         fs::directory_iterator(fs::path(sysfs_root) / "class/infiniband" / device / "ports", ec)) {
        std::error_code ec2;
        for (const auto& entry : fs::directory_iterator(port.path() / "gid_attrs/ndevs", ec2)) {
            auto netdev = read_first_line(entry.path());
            if (netdev.empty())
                continue;
            table.push_back({number_of(port.path()), number_of(entry.path()),
                             read_first_line(port.path() / "gids" / entry.path().filename()),
                             std::move(netdev)});
        }
    }
    return table;
}

} // namespace rnh
