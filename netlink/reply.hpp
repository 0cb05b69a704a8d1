// SPDX-License-Identifier: Apache-2.0
// Reading the kernel's answer to one request. Pure: it works on received
// bytes, so tests and fuzzers can feed it datagrams without a socket.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace rnh::nl {

// Called with each data message of a reply; the message lives only for the call.
using OnMessage = std::function<void(const nlmsghdr&)>;

// Words a hint for an errno the kernel answered with; empty when it has none.
using Hint = std::function<std::string(int err)>;

// The request a reply must answer, and how to word its errors.
struct ReplyContext {
    std::uint32_t portid;  // the requesting socket's port id
    std::uint32_t seq;     // the request's sequence number
    std::string_view what; // what the request does, e.g. "moving RDMA device 3 ..."
    Hint hint;             // may be empty
};

enum class Progress { more, done };

// Processes one datagram received for the request in `ctx`; `sender` is the
// nl_pid of its source address. Datagrams not sent by the kernel (sender != 0)
// and messages answering another request (nlmsg_pid or nlmsg_seq differ: a
// reply left over from an earlier request that threw) are skipped. Data
// messages go to on_msg. Returns done at NLMSG_DONE (end of a dump) or at an
// NLMSG_ERROR with error 0 (the ACK of a request with NLM_F_ACK).
// `datagram` must be 4-byte aligned, as a receive buffer from new is.
// Throws rnh::Error: with the kernel's errno for an NLMSG_ERROR or NLMSG_DONE
// carrying one, the extended ack text (NLMSGERR_ATTR_MSG) in the context and
// ctx.hint(errno) as hint; with EPROTO for a malformed datagram; ENOBUFS for
// NLMSG_OVERRUN.
Progress process_datagram(std::span<const std::byte> datagram, std::uint32_t sender,
                          const ReplyContext& ctx, const OnMessage& on_msg);

// Follows one reply over its datagrams, in the order they arrive, through
// process_datagram(), and counts the parts: the datagrams that carried data
// messages. The kernel builds each datagram of a dump in one call of the
// dump callback (netlink_dump() in af_netlink.c), so a dump whose data came
// in one part is a snapshot taken under the callback's lock; one that came in
// several parts may have missed entries that moved between them.
class ReplyReader {
public:
    // Both must outlive the reader.
    ReplyReader(const ReplyContext& ctx, const OnMessage& on_msg) : ctx_(ctx), on_msg_(on_msg) {}

    Progress feed(std::span<const std::byte> datagram, std::uint32_t sender);
    std::size_t parts() const noexcept { return parts_; }

private:
    const ReplyContext& ctx_;
    const OnMessage& on_msg_;
    std::size_t parts_ = 0;
};

} // namespace rnh::nl
