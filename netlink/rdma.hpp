// SPDX-License-Identifier: Apache-2.0
// The RDMA netlink (nldev) commands the hook needs, after iproute2's rdma
// tool: each one a pure builder for its request, a pure parser for its
// reply messages, and a function that does both over a Socket.
#pragma once

#include "netlink/device_dump.hpp"
#include "netlink/message.hpp"
#include "netlink/socket.hpp"

#include <linux/netlink.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rnh::nl {

struct Port {
    std::uint32_t dev_index;
    std::string dev_name;
    // The port's net device; empty unless it lives in the socket's network
    // namespace (fill_port_info() in nldev.c leaves it out otherwise).
    std::string ndev_name;
};

// How the kernel shares RDMA devices among network namespaces: shared (the
// default) shows every device in every namespace; exclusive gives each
// device to one namespace, and devices can only be moved in this mode.
enum class NetnsMode { exclusive, shared };

std::string_view to_string(NetnsMode mode) noexcept;

// Requests. Type RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, command); the get/set ones
// carry NLM_F_REQUEST | NLM_F_ACK, the dumps NLM_F_REQUEST | NLM_F_DUMP.
Message build_sys_get();                          // RDMA_NLDEV_CMD_SYS_GET
Message build_sys_set_netns_mode(NetnsMode mode); // RDMA_NLDEV_CMD_SYS_SET, NETNS_MODE u8
Message build_dev_dump();                         // RDMA_NLDEV_CMD_GET
Message build_port_dump(std::uint32_t dev_index); // RDMA_NLDEV_CMD_PORT_GET, DEV_INDEX
// RDMA_NLDEV_CMD_SET with DEV_INDEX and NET_NS_FD (u32); throws rnh::Error
// for a negative fd.
Message build_dev_set_netns(std::uint32_t dev_index, int netns_fd);

// Reply messages, as Socket::transact hands them out (nlmsg_len bytes
// readable). Attributes are checked for type and length; unknown ones are
// skipped. Throw rnh::Error (EPROTO) on a missing or malformed attribute.
NetnsMode parse_sys(const nlmsghdr& nlh); // RDMA_NLDEV_SYS_ATTR_NETNS_MODE
Device parse_device(const nlmsghdr& nlh); // DEV_INDEX, DEV_NAME
Port parse_port(const nlmsghdr& nlh);     // those, optional NDEV_NAME

// Commands, all on devices seen from the socket's network namespace (in
// shared mode: all devices). Each throws rnh::Error with a hint on failure.
NetnsMode get_netns_mode(Socket& socket);
// Needs CAP_NET_ADMIN. The kernel refuses (EBUSY) while any network namespace
// other than the initial one exists (rdma_compatdev_set() in device.c).
void set_netns_mode(Socket& socket, NetnsMode mode);
// The devices, safe against devices moving meanwhile: settle_devices() over
// device dumps. A quiet namespace costs one dump.
std::vector<Device> dump_devices(Socket& socket);
// The kernel dumps the ports of one device per request (nldev_port_get_dumpit()
// needs DEV_INDEX), so listing all ports takes a dump_devices first. That
// dump resumes by port number, and a device's ports never change, so it
// cannot skip one; but it fails (EINVAL) when the device is not, or no longer,
// in the socket's namespace, e.g. moved by another container meanwhile: then
// the device has no ports here and the result is empty.
std::vector<Port> dump_ports(Socket& socket, std::uint32_t dev_index);
// Moves device `dev_index` into the network namespace `netns_fd` refers to (an
// fd of this process, e.g. an open /proc/PID/ns/net). Needs exclusive mode, a
// driver that can disassociate its user contexts, and CAP_NET_ADMIN both in
// the initial user namespace and over the target namespace. The calling
// thread must still be in the network namespace the socket was opened in:
// the kernel finds the device through the socket but checks that it lives in
// the thread's namespace (rdma_dev_change_netns() in device.c), ENODEV if not.
void move_device(Socket& socket, std::uint32_t dev_index, int netns_fd);

} // namespace rnh::nl
