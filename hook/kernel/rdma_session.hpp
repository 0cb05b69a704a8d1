// SPDX-License-Identifier: Apache-2.0
// What the kernel code needs of the settings to talk to the RDMA subsystem:
// netlink sockets with a timeout, in the host or in a container's namespace,
// and how many devices are moved at once.
#pragma once

#include "hook/kernel/netns.hpp"
#include "netlink/rdma.hpp"
#include "netlink/socket.hpp"

#include <chrono>

namespace rnh {

struct RdmaSession {
    std::chrono::milliseconds timeout{5000};
    unsigned move_threads = 4; // each move from a thread of its own

    // A socket in the calling thread's network namespace.
    nl::Socket open() const;

    // Runs f(socket) on a thread inside `ns`, with a socket opened there. A
    // device can only leave a namespace on a request sent from a thread
    // inside it: rdma_dev_change_netns() compares the device's namespace with
    // the sender's.
    template <typename F> auto in(const Netns& ns, F f) const
    {
        return in_netns(ns.fd.get(), [&] {
            auto socket = open();
            return f(socket);
        });
    }
};

// Refuses shared mode, where a namespace isolates nothing.
void require_exclusive_mode(nl::Socket& host);

} // namespace rnh
