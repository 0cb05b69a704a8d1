// SPDX-License-Identifier: Apache-2.0
// The RoCE GID table of an RDMA device's ports, as sysfs shows it:
// class/infiniband/DEV/ports/N/gids/I and gid_attrs/ndevs/I. The table is
// kept per netdev whatever namespace that netdev is in (roce_gid_mgmt.c), and
// sysfs prints the netdev's current name (print_ndev() in sysfs.c), so it
// names a port's netdev where RDMA netlink cannot: netlink names it only to a
// socket in the netdev's namespace (fill_port_info() in nldev.c).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rnh {

struct GidEntry {
    std::uint32_t port = 0;
    std::uint32_t index = 0;
    std::string gid;    // "fe80:0000:...", as sysfs prints it
    std::string netdev; // the netdev it was made for
};

// Entry `index` of a port; empty strings where sysfs has nothing to say (an
// unused entry: the kernel answers EINVAL).
GidEntry read_gid_entry(const std::string& sysfs_root, const std::string& device,
                        std::uint32_t port, std::uint32_t index);

// Every entry of every port of `device` that names a netdev.
std::vector<GidEntry> read_gid_table(const std::string& sysfs_root, const std::string& device);

} // namespace rnh
