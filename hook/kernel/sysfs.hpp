// SPDX-License-Identifier: Apache-2.0
// What sysfs says of RDMA devices that netlink does not: the PCI function a
// device sits on, and the verbs character device each one was given.
#pragma once

#include "hook/plan/snapshot.hpp"
#include "netlink/rdma.hpp"

#include <map>
#include <string>
#include <vector>

namespace rnh {

// The PCI function at or above the device a sysfs link (a class entry's
// "device") points to: its nearest ancestor on the PCI bus. An RDMA device
// of a sub-function or an auxiliary device (mlx5_core.rdma.N) sits below
// its PCI function, not on it. Empty when there is none.
std::string nearest_pci_function(const std::string& sysfs_root, const std::string& device_link);

// Device name -> PCI function, for each named device that has one: its own
// (nearest_pci_function of class/infiniband/<name>/device), else, for a
// device with no parent device (rxe, siw), that of a netdev bound to one of
// its `ports` (class/net/<netdev>/device).
std::map<std::string, std::string> rdma_pci_functions(const std::string& sysfs_root,
                                                      const std::vector<std::string>& devices,
                                                      const std::vector<nl::Port>& ports);

// Whether <root>/bus/pci/devices/<address> exists, and the devices of
// `functions` (rdma_pci_functions()) on it.
PciFunction read_pci_function(const std::string& sysfs_root, const std::string& address,
                              const std::map<std::string, std::string>& functions);

// Device name -> "uverbsN", from <root>/class/infiniband_verbs/uverbsN/ibdev.
// The verbs class is not namespaced: the host sees every device's node.
std::map<std::string, std::string> read_verbs_nodes(const std::string& sysfs_root);

// Throws unless each device of `given` (device -> "uverbsN", what a CDI spec
// gave a container) still has that verbs node: a device re-registering in a
// namespace takes the lowest free number.
void check_verbs_nodes(const std::string& sysfs_root,
                       const std::map<std::string, std::string>& given);

// Device name -> its MAD nodes ("umadN", "issmN": one pair per port, the pair
// sharing N; ib_umad_init_port() in user_mad.c), port by port, from
// <root>/class/infiniband_mad/*/ibdev. Not namespaced either.
std::map<std::string, std::vector<std::string>> read_mad_nodes(const std::string& sysfs_root);

} // namespace rnh
