// SPDX-License-Identifier: Apache-2.0
#include "netlink/message.hpp"

#include "base/error.hpp"

#include <libmnl/libmnl.h>

#include <string>

namespace rnh::nl {

Message::Message(std::uint16_t type, std::uint16_t flags)
{
    nlmsghdr* nlh = mnl_nlmsg_put_header(buffer_.data());
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = flags;
}

void* Message::put_extra_header(std::size_t size)
{
    nlmsghdr& nlh = header();
    if (nlh.nlmsg_len != MNL_NLMSG_HDRLEN)
        fail("building a netlink request: the family header must come before the attributes");
    if (MNL_ALIGN(size) > capacity - nlh.nlmsg_len)
        fail("building a netlink request: a family header of " + std::to_string(size) +
             " bytes does not fit in " + std::to_string(capacity));
    return mnl_nlmsg_put_extra_header(&nlh, size);
}

void Message::put_u8(std::uint16_t type, std::uint8_t value)
{
    put(type, &value, sizeof value);
}

void Message::put_u32(std::uint16_t type, std::uint32_t value)
{
    put(type, &value, sizeof value);
}

void Message::put_str(std::uint16_t type, const std::string& value)
{
    put(type, value.c_str(), value.size() + 1);
}

void Message::put_bytes(std::uint16_t type, std::span<const std::uint8_t> value)
{
    put(type, value.data(), value.size());
}

void Message::put(std::uint16_t type, const void* data, std::size_t size)
{
    if (!mnl_attr_put_check(&header(), capacity, type, size, data))
        fail("building a netlink request: attribute " + std::to_string(type) + " of " +
             std::to_string(size) + " bytes does not fit in " + std::to_string(capacity));
}

} // namespace rnh::nl
