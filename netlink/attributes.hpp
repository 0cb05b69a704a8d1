// SPDX-License-Identifier: Apache-2.0
// Walking the attributes of a reply message, each checked to lie within it,
// and the one error for a reply that breaks the format (EPROTO). Shared by
// the RDMA and the route netlink parsers.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace rnh::nl {

// "reading the kernel's <reply> reply: <problem>", EPROTO, and what to report.
[[noreturn]] void malformed(std::string_view reply, const std::string& problem);

using OnAttr = std::function<void(const nlattr&)>;

// Calls on_attr with each attribute of the `size` bytes at `data`.
void for_each_attr(const std::byte* data, std::size_t size, std::string_view reply,
                   const OnAttr& on_attr);
// The attributes of a message, after its family header of `header_size`
// bytes (none for RDMA netlink); a message too short for it is malformed.
void for_each_attr(const nlmsghdr& nlh, std::size_t header_size, std::string_view reply,
                   const OnAttr& on_attr);
// The attributes nested in `nest`.
void for_each_nested(const nlattr& nest, std::string_view reply, const OnAttr& on_attr);

} // namespace rnh::nl
