// SPDX-License-Identifier: Apache-2.0
// What sysfs says of RDMA devices that netlink does not: the PCI function a
// device sits on, and the verbs character device each one was given.
#pragma once

#include "hook/plan/snapshot.hpp"

#include <map>
#include <string>
#include <vector>

namespace rnh {

// <root>/bus/pci/devices/<address>/infiniband/: the RDMA devices of a PCI
// function that this process's sysfs shows (those in its network namespace).
PciFunction read_pci_function(const std::string& sysfs_root, const std::string& address);

// Device name -> the PCI address of its parent device, for the devices named
// that sit on a PCI function (soft devices such as rxe have none).
std::map<std::string, std::string> read_pci_addresses(const std::string& sysfs_root,
                                                      const std::vector<std::string>& devices);

// Device name -> "uverbsN", from <root>/class/infiniband_verbs/uverbsN/ibdev.
// The verbs class is not namespaced: the host sees every device's node.
std::map<std::string, std::string> read_verbs_nodes(const std::string& sysfs_root);

// Device name -> its MAD nodes ("umadN", "issmN": one pair per port, the pair
// sharing N; ib_umad_init_port() in user_mad.c), port by port, from
// <root>/class/infiniband_mad/*/ibdev. Not namespaced either.
std::map<std::string, std::vector<std::string>> read_mad_nodes(const std::string& sysfs_root);

} // namespace rnh
