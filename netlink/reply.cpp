// SPDX-License-Identifier: Apache-2.0
#include "netlink/reply.hpp"

#include "base/error.hpp"

#include <libmnl/libmnl.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace rnh::nl {

namespace {

// Kernel errnos are 1..MAX_ERRNO (4095).
constexpr int max_errno = 4095;

[[noreturn]] void malformed(const ReplyContext& ctx, const std::string& problem)
{
    fail_errno(EPROTO, std::string(ctx.what) + ": malformed netlink reply (" + problem + ")",
               "report this with the kernel version (uname -r)");
}

// The text of the NLMSGERR_ATTR_MSG attribute among the extended ack TLVs
// that start `offset` bytes into the payload of `nlh`; empty if there is none.
// A damaged TLV area costs only the text, never the kernel's errno.
std::string ext_ack_text(const nlmsghdr& nlh, std::size_t offset)
{
    const auto* payload = static_cast<const std::byte*>(mnl_nlmsg_get_payload(&nlh));
    const std::size_t size = mnl_nlmsg_get_payload_len(&nlh);
    while (offset < size) {
        const auto* attr = reinterpret_cast<const nlattr*>(payload + offset);
        if (!mnl_attr_ok(attr, static_cast<int>(size - offset)))
            break;
        if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
            mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
            return mnl_attr_get_str(attr);
        offset += MNL_ALIGN(attr->nla_len);
    }
    return {};
}

[[noreturn]] void kernel_error(const ReplyContext& ctx, int error, const std::string& text)
{
    if (error < -max_errno)
        malformed(ctx, "error code " + std::to_string(error));
    std::string what(ctx.what);
    if (!text.empty())
        what += " (kernel: " + text + ")";
    const int err = -error;
    throw Error(std::move(what), err, ctx.hint ? ctx.hint(err) : std::string());
}

// NLMSG_ERROR: struct nlmsgerr, i.e. the errno and the request's header; the
// request's payload too unless NETLINK_CAP_ACK capped it (NLM_F_CAPPED); then,
// with NETLINK_EXT_ACK, TLVs (NLM_F_ACK_TLVS). See netlink_ack() in the kernel.
// Returns if it is the ACK (error 0), throws otherwise.
void check_error(const nlmsghdr& nlh, const ReplyContext& ctx)
{
    nlmsgerr err;
    if (mnl_nlmsg_get_payload_len(&nlh) < sizeof err)
        malformed(ctx, "short NLMSG_ERROR");
    std::memcpy(&err, mnl_nlmsg_get_payload(&nlh), sizeof err);
    if (err.error == 0)
        return;
    if (err.error > 0)
        malformed(ctx, "error code " + std::to_string(err.error));

    std::string text;
    if (nlh.nlmsg_flags & NLM_F_ACK_TLVS) {
        std::size_t offset = sizeof err;
        if (!(nlh.nlmsg_flags & NLM_F_CAPPED) && err.msg.nlmsg_len >= sizeof(nlmsghdr))
            offset = MNL_ALIGN(sizeof err.error + err.msg.nlmsg_len);
        text = ext_ack_text(nlh, offset);
    }
    kernel_error(ctx, err.error, text);
}

// NLMSG_DONE: an int, which is the dump's errno when the dump callback failed.
// A dump that fails reports it here, not in an NLMSG_ERROR (netlink_dump_done()
// in the kernel), and libmnl's default NLMSG_DONE handling does not look.
// Returns if the dump succeeded, throws otherwise.
void check_done(const nlmsghdr& nlh, const ReplyContext& ctx)
{
    int error = 0;
    if (mnl_nlmsg_get_payload_len(&nlh) >= sizeof error)
        std::memcpy(&error, mnl_nlmsg_get_payload(&nlh), sizeof error);
    if (error == 0)
        return;
    if (error > 0)
        malformed(ctx, "NLMSG_DONE with code " + std::to_string(error));
    std::string text;
    if (nlh.nlmsg_flags & NLM_F_ACK_TLVS)
        text = ext_ack_text(nlh, MNL_ALIGN(sizeof error));
    kernel_error(ctx, error, text);
}

} // namespace

Progress process_datagram(std::span<const std::byte> datagram, std::uint32_t sender,
                          const ReplyContext& ctx, const OnMessage& on_msg)
{
    if (reinterpret_cast<std::uintptr_t>(datagram.data()) % alignof(nlmsghdr) != 0)
        fail("reading a netlink reply: the receive buffer is not aligned");
    if (sender != 0)
        return Progress::more;

    std::size_t offset = 0;
    while (offset < datagram.size()) {
        // Not mnl_nlmsg_ok(): it compares nlmsg_len as an int, so a length of
        // 2^31 or more passes, and MNL_ALIGN of one near 2^32 wraps to 0.
        const std::size_t left = datagram.size() - offset;
        const auto* nlh = reinterpret_cast<const nlmsghdr*>(datagram.data() + offset);
        if (left < sizeof(nlmsghdr) || nlh->nlmsg_len < sizeof(nlmsghdr) || nlh->nlmsg_len > left)
            malformed(ctx, "truncated message at byte " + std::to_string(offset));
        offset += MNL_ALIGN(std::size_t{nlh->nlmsg_len});

        if (nlh->nlmsg_pid != ctx.portid || nlh->nlmsg_seq != ctx.seq)
            continue;
        switch (nlh->nlmsg_type) {
        case NLMSG_ERROR:
            check_error(*nlh, ctx);
            return Progress::done;
        case NLMSG_DONE:
            check_done(*nlh, ctx);
            return Progress::done;
        case NLMSG_OVERRUN:
            fail_errno(ENOBUFS, std::string(ctx.what) + ": the kernel lost part of its reply");
        default:
            if (nlh->nlmsg_type >= NLMSG_MIN_TYPE)
                on_msg(*nlh);
            break;
        }
    }
    return Progress::more;
}

Progress ReplyReader::feed(std::span<const std::byte> datagram, std::uint32_t sender)
{
    bool data = false;
    const OnMessage note = [&](const nlmsghdr& nlh) {
        data = true;
        on_msg_(nlh);
    };
    const Progress progress = process_datagram(datagram, sender, ctx_, note);
    if (data)
        ++parts_;
    return progress;
}

} // namespace rnh::nl
