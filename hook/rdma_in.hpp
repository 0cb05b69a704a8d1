// RDMA netlink sockets in the host and in a container's namespace.
#pragma once

#include "hook/config.hpp"
#include "hook/netns.hpp"
#include "netlink/rdma.hpp"
#include "netlink/socket.hpp"

namespace rnh {

nl::Socket open_rdma(const Config& config);

// Runs f(socket) on a thread inside `ns`, with a socket opened there. A
// device can only leave a namespace on a request sent from a thread inside it:
// rdma_dev_change_netns() compares the device's namespace with the sender's.
template <typename F> auto with_rdma_in(const Netns& ns, const Config& config, F f)
{
    return in_netns(ns.fd.get(), [&] {
        auto socket = open_rdma(config);
        return f(socket);
    });
}

// Refuses shared mode, where a namespace isolates nothing.
void require_exclusive_mode(nl::Socket& host);

} // namespace rnh
