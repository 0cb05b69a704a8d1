// SPDX-License-Identifier: Apache-2.0
// The identity of a network namespace: the (device, inode) of its nsfs file
// plus its cookie. The kernel reuses nsfs inode numbers once a namespace is
// freed, but never a cookie within a boot (SO_NETNS_COOKIE, Linux 5.14).
#pragma once

#include <compare>
#include <cstdint>

namespace rnh {

struct NsId {
    std::uint64_t dev = 0;
    std::uint64_t ino = 0;
    std::uint64_t cookie = 0;
    auto operator<=>(const NsId&) const = default;
};

} // namespace rnh
