// SPDX-License-Identifier: Apache-2.0
#include "netlink/attributes.hpp"

#include "base/error.hpp"

#include <libmnl/libmnl.h>

#include <cerrno>

namespace rnh::nl {

void malformed(std::string_view reply, const std::string& problem)
{
    fail_errno(EPROTO, "reading the kernel's " + std::string(reply) + " reply: " + problem,
               "report this with the kernel version (uname -r)");
}

void for_each_attr(const std::byte* data, std::size_t size, std::string_view reply,
                   const OnAttr& on_attr)
{
    std::size_t offset = 0;
    while (offset < size) {
        const auto* attr = reinterpret_cast<const nlattr*>(data + offset);
        if (!mnl_attr_ok(attr, static_cast<int>(size - offset)))
            malformed(reply, "truncated attribute at byte " + std::to_string(offset));
        offset += MNL_ALIGN(attr->nla_len);
        on_attr(*attr);
    }
}

void for_each_attr(const nlmsghdr& nlh, std::size_t header_size, std::string_view reply,
                   const OnAttr& on_attr)
{
    if (nlh.nlmsg_len < MNL_NLMSG_HDRLEN + header_size)
        malformed(reply, "message shorter than its headers");
    const std::size_t skip = MNL_ALIGN(header_size);
    const auto* payload = static_cast<const std::byte*>(mnl_nlmsg_get_payload(&nlh));
    const std::size_t size = mnl_nlmsg_get_payload_len(&nlh);
    if (size > skip)
        for_each_attr(payload + skip, size - skip, reply, on_attr);
}

void for_each_nested(const nlattr& nest, std::string_view reply, const OnAttr& on_attr)
{
    for_each_attr(static_cast<const std::byte*>(mnl_attr_get_payload(&nest)),
                  mnl_attr_get_payload_len(&nest), reply, on_attr);
}

} // namespace rnh::nl
