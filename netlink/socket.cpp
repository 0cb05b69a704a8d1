// SPDX-License-Identifier: Apache-2.0
#include "netlink/socket.hpp"

#include "base/error.hpp"

#include <libmnl/libmnl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <exception>
#include <string>
#include <vector>

namespace rnh::nl {

namespace {

// netlink_dump() (af_netlink.c) sizes each dump datagram after the largest
// buffer a recvmsg() on the socket has offered so far (max_recvmsg_len,
// recorded by netlink_recvmsg() and capped there at 32 KiB minus the skb
// overhead), and at NLMSG_GOODSIZE (about 4 KiB) before the first recvmsg().
// A smaller buffer would truncate the datagrams.
constexpr std::size_t receive_size = 32768;

std::string open_hint(int protocol, int err)
{
    if (protocol == NETLINK_RDMA && err == EPROTONOSUPPORT)
        return "this kernel has no RDMA netlink: load ib_core (modprobe ib_core) or use a kernel "
               "built with CONFIG_INFINIBAND";
    return {};
}

} // namespace

void Socket::Close::operator()(mnl_socket* socket) const noexcept
{
    mnl_socket_close(socket);
}

Socket Socket::open(int protocol, std::chrono::milliseconds timeout)
{
    const std::string what =
        protocol == NETLINK_RDMA
            ? std::string("opening an RDMA netlink socket")
            : "opening a netlink socket (protocol " + std::to_string(protocol) + ")";
    if (timeout.count() <= 0)
        fail(what + ": the reply timeout must be positive");

    mnl_socket* raw = mnl_socket_open2(protocol, SOCK_CLOEXEC);
    if (raw == nullptr) {
        const int err = errno;
        fail_errno(err, what, open_hint(protocol, err));
    }
    Socket socket(raw, timeout);

    if (mnl_socket_bind(raw, 0, MNL_SOCKET_AUTOPID) < 0) {
        const int err = errno;
        fail_errno(err, what + ": bind");
    }
    socket.portid_ = mnl_socket_get_portid(raw);

    // Both only make the kernel's error replies shorter and clearer; a kernel
    // without them (before 4.3 and 4.12) still answers, so their failure is
    // no reason to stop.
    int on = 1;
    (void)mnl_socket_setsockopt(raw, NETLINK_CAP_ACK, &on, sizeof on);
    (void)mnl_socket_setsockopt(raw, NETLINK_EXT_ACK, &on, sizeof on);

    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
    timeval tv{};
    tv.tv_sec = seconds.count();
    tv.tv_usec = std::chrono::duration_cast<std::chrono::microseconds>(timeout - seconds).count();
    if (setsockopt(mnl_socket_get_fd(raw), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) {
        const int err = errno;
        fail_errno(err, what + ": setting the receive timeout");
    }
    return socket;
}

std::size_t Socket::transact(Message& request, std::string_view what, const OnMessage& on_msg,
                             const Hint& hint)
{
    // The first part of a dump is built inside send(), before this socket's
    // first recvmsg() has told the kernel how large a buffer it reads with:
    // without this exchange it holds about a dozen RDMA devices, and a dump
    // of more comes in parts, which can miss devices that move meanwhile.
    // rdma_nl_rcv_skb() and netlink_rcv_skb() just acknowledge an NLMSG_NOOP.
    // It goes with sequence number 0, which no request of transact() has.
    if (!received_ && (request.header().nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP) {
        Message noop(NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK);
        exchange(noop, 0, std::string(what) + ": a no-op request first", [](const nlmsghdr&) {},
                 {});
    }
    return exchange(request, next_seq_++, what, on_msg, hint);
}

std::size_t Socket::exchange(Message& request, std::uint32_t seq, std::string_view what,
                             const OnMessage& on_msg, const Hint& hint)
{
    nlmsghdr& nlh = request.header();
    nlh.nlmsg_seq = seq;
    const ReplyContext ctx{portid_, nlh.nlmsg_seq, what, hint};

    const auto bytes = request.bytes();
    if (mnl_socket_sendto(socket_.get(), bytes.data(), bytes.size()) < 0) {
        const int err = errno;
        fail_errno(err, std::string(what) + ": sending the netlink request");
    }

    // A dump still running makes the kernel refuse the next one on this socket
    // (EBUSY from __netlink_dump_start()), so after on_msg throws the rest of
    // the reply is still read, and dropped, before the exception goes on.
    std::exception_ptr failed;
    const OnMessage deliver = [&](const nlmsghdr& message) {
        if (failed)
            return;
        try {
            on_msg(message);
        } catch (...) {
            failed = std::current_exception();
        }
    };

    std::size_t parts = 0;
    try {
        parts = receive(ctx, deliver);
    } catch (...) {
        if (failed)
            std::rethrow_exception(failed);
        throw;
    }
    if (failed)
        std::rethrow_exception(failed);
    return parts;
}

std::size_t Socket::receive(const ReplyContext& ctx, const OnMessage& on_msg)
{
    ReplyReader reader(ctx, on_msg);
    std::vector<std::byte> buffer(receive_size);
    const int fd = mnl_socket_get_fd(socket_.get());
    for (;;) {
        sockaddr_nl sender{};
        iovec iov{buffer.data(), buffer.size()};
        msghdr msg{};
        msg.msg_name = &sender;
        msg.msg_namelen = sizeof sender;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;

        const ssize_t received = recvmsg(fd, &msg, 0);
        if (received < 0) {
            const int err = errno;
            if (err == EINTR)
                continue;
            if (err == EAGAIN || err == EWOULDBLOCK)
                fail_errno(ETIMEDOUT, std::string(ctx.what) + ": no reply from the kernel within " +
                                          std::to_string(timeout_.count()) + " ms");
            fail_errno(err, std::string(ctx.what) + ": receiving the netlink reply");
        }
        received_ = true;
        if (msg.msg_flags & MSG_TRUNC)
            fail_errno(EMSGSIZE, std::string(ctx.what) + ": a netlink reply is longer than " +
                                     std::to_string(receive_size) + " bytes");

        const std::span<const std::byte> datagram(buffer.data(),
                                                  static_cast<std::size_t>(received));
        if (reader.feed(datagram, sender.nl_pid) == Progress::done)
            return reader.parts();
    }
}

} // namespace rnh::nl
