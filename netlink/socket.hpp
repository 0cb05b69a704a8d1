// SPDX-License-Identifier: Apache-2.0
// A netlink socket: RAII over libmnl's struct mnl_socket, and the one
// request/reply exchange every command is made of.
#pragma once

#include "netlink/message.hpp"
#include "netlink/reply.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

struct mnl_socket;

namespace rnh::nl {

class Socket {
public:
    // Opens and binds a netlink socket of `protocol` (NETLINK_RDMA) with
    // NETLINK_CAP_ACK and NETLINK_EXT_ACK, and SO_RCVTIMEO = timeout (> 0).
    // The socket belongs to the network namespace of the calling thread, now
    // and for good: the kernel looks RDMA devices up in the socket's namespace
    // (sock_net(skb->sk) in nldev.c), so a thread must be inside a namespace
    // when it opens the socket that sees or moves the devices there.
    // Throws rnh::Error; EPROTONOSUPPORT for NETLINK_RDMA means no ib_core.
    static Socket open(int protocol, std::chrono::milliseconds timeout);

    Socket(Socket&&) noexcept = default;
    Socket& operator=(Socket&&) noexcept = default;
    ~Socket() = default;

    std::uint32_t portid() const noexcept { return portid_; }

    // Sends `request` with the next sequence number (written into its header)
    // and reads the reply: every data message goes to on_msg, until
    // NLMSG_DONE (dumps) or the ACK (requests with NLM_F_ACK: every request
    // that is not a dump must have it, or this waits for the timeout).
    // Throws rnh::Error worded with `what`: the kernel's errno (with its
    // extended ack text, and hint(errno) as hint) when it refuses; ETIMEDOUT
    // when no reply came within the timeout. If on_msg throws, the rest of
    // the reply is read and dropped first, then its exception goes on.
    // The timeout bounds the wait for each reply datagram, not the kernel's
    // work: a netlink request is handled inside send(), in this thread.
    // Returns the reply's parts (ReplyReader::parts()): a dump that came in
    // one part is consistent. Before the first dump on this socket, a no-op
    // request is exchanged so that the kernel builds dump parts as large as
    // the receive buffer from the first part on (see socket.cpp).
    std::size_t transact(Message& request, std::string_view what, const OnMessage& on_msg,
                         const Hint& hint = {});

private:
    struct Close {
        void operator()(mnl_socket* socket) const noexcept;
    };

    // transact() with sequence number `seq`.
    std::size_t exchange(Message& request, std::uint32_t seq, std::string_view what,
                         const OnMessage& on_msg, const Hint& hint);
    // Reads datagrams until the reply to ctx.seq is complete; returns its parts.
    std::size_t receive(const ReplyContext& ctx, const OnMessage& on_msg);

    Socket(mnl_socket* socket, std::chrono::milliseconds timeout) noexcept
        : socket_(socket), timeout_(timeout)
    {
    }

    std::unique_ptr<mnl_socket, Close> socket_;
    std::chrono::milliseconds timeout_;
    std::uint32_t portid_ = 0;
    std::uint32_t next_seq_ = 1;
    bool received_ = false; // has read a reply with the full receive buffer
};

} // namespace rnh::nl
