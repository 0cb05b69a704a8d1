// SPDX-License-Identifier: Apache-2.0
// Netlink datagrams built by hand, field by field in host order, as the
// kernel writes them (linux/netlink.h): for the reply parsers' unit tests,
// the fuzzer's seeds and the benchmarks. Nothing here checks what it writes,
// so a test can also build what the kernel never would.
#pragma once

#include <linux/netlink.h>
#include <rdma/rdma_netlink.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rnh::test {

// The message type of an nldev command (RDMA_NL_GET_TYPE).
constexpr std::uint16_t nldev(unsigned command)
{
    return static_cast<std::uint16_t>(RDMA_NL_GET_TYPE(unsigned{RDMA_NL_NLDEV}, command));
}

// Messages one after another; each opened by begin() and closed by end(),
// which writes its nlmsg_len and pads it to 4 bytes.
class Datagram {
public:
    // The port id and sequence number begin() puts in each header.
    Datagram(std::uint32_t portid, std::uint32_t seq) : portid_(portid), seq_(seq) {}

    Datagram& begin(std::uint16_t type, std::uint16_t flags = 0)
    {
        return begin(type, flags, seq_, portid_);
    }
    Datagram& begin(std::uint16_t type, std::uint16_t flags, std::uint32_t seq)
    {
        return begin(type, flags, seq, portid_);
    }
    Datagram& begin(std::uint16_t type, std::uint16_t flags, std::uint32_t seq,
                    std::uint32_t portid)
    {
        start_ = bytes_.size();
        return u32(0).u16(type).u16(flags).u32(seq).u32(portid);
    }
    Datagram& end()
    {
        const auto len = static_cast<std::uint32_t>(bytes_.size() - start_);
        std::memcpy(bytes_.data() + start_, &len, sizeof len);
        return pad();
    }

    // Raw fields, unpadded.
    Datagram& u8(std::uint8_t v) { return raw(&v, sizeof v); }
    Datagram& u16(std::uint16_t v) { return raw(&v, sizeof v); }
    Datagram& u32(std::uint32_t v) { return raw(&v, sizeof v); }
    Datagram& i32(std::int32_t v) { return raw(&v, sizeof v); }
    Datagram& raw(const void* data, std::size_t size)
    {
        const auto* p = static_cast<const std::byte*>(data);
        bytes_.insert(bytes_.end(), p, p + size);
        return *this;
    }
    Datagram& pad()
    {
        while (bytes_.size() % NLMSG_ALIGNTO != 0)
            bytes_.push_back(std::byte{0});
        return *this;
    }

    // An attribute: nla_len counts the header and `payload`, not the padding.
    Datagram& attr(std::uint16_t type, std::string_view payload)
    {
        u16(static_cast<std::uint16_t>(NLA_HDRLEN + payload.size())).u16(type);
        return raw(payload.data(), payload.size()).pad();
    }
    Datagram& attr_u8(std::uint16_t type, std::uint8_t v) { return attr(type, as_bytes(v)); }
    Datagram& attr_u32(std::uint16_t type, std::uint32_t v) { return attr(type, as_bytes(v)); }
    Datagram& attr_u64(std::uint16_t type, std::uint64_t v) { return attr(type, as_bytes(v)); }
    // A string attribute with its terminating NUL, as nla_put_string() writes it.
    Datagram& attr_str(std::uint16_t type, const std::string& s)
    {
        return attr(type, std::string_view(s.c_str(), s.size() + 1));
    }

    std::span<const std::byte> bytes() const { return bytes_; }
    // The first message, as a parser receives it.
    const nlmsghdr& message() const { return *reinterpret_cast<const nlmsghdr*>(bytes_.data()); }

private:
    template <typename T> static std::string_view as_bytes(const T& v)
    {
        return {reinterpret_cast<const char*>(&v), sizeof v};
    }

    std::vector<std::byte> bytes_; // from new: aligned for nlmsghdr
    std::size_t start_ = 0;
    std::uint32_t portid_;
    std::uint32_t seq_;
};

} // namespace rnh::test
