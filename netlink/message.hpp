// SPDX-License-Identifier: Apache-2.0
// A netlink request being built: one nlmsghdr, then attributes, in a buffer
// of its own. Building touches no socket, so tests can read the bytes.
#pragma once

#include <linux/netlink.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace rnh::nl {

class Message {
public:
    // Largest request this module builds, with room to spare.
    static constexpr std::size_t capacity = 1024;

    // A header with nlmsg_seq and nlmsg_pid 0; Socket::transact sets the seq.
    Message(std::uint16_t type, std::uint16_t flags);

    // Appends a zeroed family header of `size` bytes right after the nlmsghdr
    // and returns it. RDMA nldev requests have none; rtnetlink ones do.
    // Throws rnh::Error once an attribute was put, or if it does not fit.
    void* put_extra_header(std::size_t size);

    // Append one attribute each; throw rnh::Error if it does not fit.
    void put_u8(std::uint16_t type, std::uint8_t value);
    void put_u32(std::uint16_t type, std::uint32_t value);
    // A string with its terminating NUL, and raw bytes (addresses).
    void put_str(std::uint16_t type, const std::string& value);
    void put_bytes(std::uint16_t type, std::span<const std::uint8_t> value);

    nlmsghdr& header() noexcept { return *reinterpret_cast<nlmsghdr*>(buffer_.data()); }
    const nlmsghdr& header() const noexcept
    {
        return *reinterpret_cast<const nlmsghdr*>(buffer_.data());
    }
    // The request as it goes on the wire: nlmsg_len bytes.
    std::span<const std::byte> bytes() const noexcept
    {
        return {buffer_.data(), header().nlmsg_len};
    }

private:
    void put(std::uint16_t type, const void* data, std::size_t size);

    alignas(nlmsghdr) std::array<std::byte, capacity> buffer_{};
};

} // namespace rnh::nl
