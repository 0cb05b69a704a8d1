// SPDX-License-Identifier: Apache-2.0
// The reply side of every netlink exchange: nl::process_datagram on the
// input as one datagram for a fixed request, and the RDMA reply parsers
// (parse_sys, parse_device, parse_port) on each message it hands out and on
// the raw input when that starts with a header whose nlmsg_len fits it.
//
// Every message is copied into a buffer of exactly nlmsg_len bytes before it
// is parsed, so that AddressSanitizer sees any read beyond the message.
#include "fuzz.hpp"

#include "netlink/rdma.hpp"
#include "netlink/reply.hpp"

#include <cerrno>
#include <cstring>
#include <memory>
#include <span>
#include <string>

using namespace rnh;

namespace {

// The request the replies answer; the seed corpus uses the same numbers.
constexpr std::uint32_t portid = 4242;
constexpr std::uint32_t seq = 7;

// Exactly `size` bytes on the heap, aligned as new aligns (enough for nlmsghdr).
std::unique_ptr<std::byte[]> copy_of(const void* data, std::size_t size)
{
    auto buffer = std::make_unique_for_overwrite<std::byte[]>(size);
    std::memcpy(buffer.get(), data, size);
    return buffer;
}

// nlh.nlmsg_len bytes starting at &nlh must be readable.
void parse_message(const nlmsghdr& nlh)
{
    const auto message = copy_of(&nlh, nlh.nlmsg_len);
    const auto& copy = *reinterpret_cast<const nlmsghdr*>(message.get());
    try {
        (void)nl::parse_sys(copy);
    } catch (const Error&) {
    }
    try {
        const nl::Device device = nl::parse_device(copy);
        fuzz::require(device.name.find('\0') == std::string::npos, "a device name holds no NUL");
    } catch (const Error&) {
    }
    try {
        const nl::Port port = nl::parse_port(copy);
        fuzz::require(port.ndev_name.find('\0') == std::string::npos,
                      "a net device name holds no NUL");
    } catch (const Error&) {
    }
}

std::string hint(int err)
{
    return err == EINVAL ? "a hint for EINVAL" : std::string();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    const auto buffer = copy_of(data, size);
    const std::span<const std::byte> datagram(buffer.get(), size);
    const nl::ReplyContext ctx{portid, seq, "fuzzing a reply", hint};

    try {
        (void)nl::process_datagram(datagram, 0, ctx, [&](const nlmsghdr& nlh) {
            const auto* begin = reinterpret_cast<const std::byte*>(&nlh);
            fuzz::require(begin >= datagram.data() && nlh.nlmsg_len >= sizeof(nlmsghdr) &&
                              nlh.nlmsg_len <=
                                  static_cast<std::size_t>(datagram.data() + size - begin),
                          "a message handed out lies within the datagram");
            fuzz::require(nlh.nlmsg_pid == portid && nlh.nlmsg_seq == seq &&
                              nlh.nlmsg_type >= NLMSG_MIN_TYPE,
                          "only data messages answering the request are handed out");
            parse_message(nlh);
        });
    } catch (const Error&) {
    }

    // A datagram from anyone but the kernel is skipped whole.
    bool called = false;
    try {
        const auto progress =
            nl::process_datagram(datagram, 1, ctx, [&](const nlmsghdr&) { called = true; });
        fuzz::require(progress == nl::Progress::more && !called,
                      "a datagram not from the kernel is ignored");
    } catch (const Error&) {
        fuzz::require(false, "a datagram not from the kernel is ignored");
    }

    if (size >= sizeof(nlmsghdr)) {
        const auto& nlh = *reinterpret_cast<const nlmsghdr*>(buffer.get());
        if (nlh.nlmsg_len >= sizeof(nlmsghdr) && nlh.nlmsg_len <= size)
            parse_message(nlh);
        else if (nlh.nlmsg_len < sizeof(nlmsghdr))
            try {
                (void)nl::parse_device(nlh); // must refuse it: shorter than its header
                fuzz::require(false, "a message shorter than its header is refused");
            } catch (const Error&) {
            }
    }
    return 0;
}
