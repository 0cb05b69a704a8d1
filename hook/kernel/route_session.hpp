// SPDX-License-Identifier: Apache-2.0
// What the kernel code needs of the settings to talk route netlink: sockets
// with a timeout, in the host or in a container's namespace. A route socket
// sees the links of the namespace it was opened in.
#pragma once

#include "hook/kernel/netns.hpp"
#include "netlink/socket.hpp"

#include <chrono>

namespace rnh {

struct RouteSession {
    std::chrono::milliseconds timeout{5000};

    // A socket in the calling thread's network namespace.
    nl::Socket open() const;

    // Runs f(socket) on a thread inside `ns`, with a socket opened there.
    template <typename F> auto in(const Netns& ns, F f) const
    {
        return in_netns(ns.fd.get(), [&] {
            auto socket = open();
            return f(socket);
        });
    }
};

} // namespace rnh
