// SPDX-License-Identifier: Apache-2.0
#include "cni/gid.hpp"

#include <array>
#include <cctype>
#include <cstdio>

namespace rnh::cni {

std::optional<std::string> default_gid(std::string_view mac)
{
    if (mac.size() != 17)
        return std::nullopt;
    std::array<unsigned, 6> b{};
    for (std::size_t i = 0; i < 6; ++i) {
        const auto hi = mac[i * 3];
        const auto lo = mac[i * 3 + 1];
        if (!std::isxdigit(static_cast<unsigned char>(hi)) ||
            !std::isxdigit(static_cast<unsigned char>(lo)) || (i < 5 && mac[i * 3 + 2] != ':'))
            return std::nullopt;
        b[i] = std::stoul(std::string{hi, lo}, nullptr, 16);
    }
    std::array<char, 40> text{};
    std::snprintf(text.data(), text.size(), "fe80:0000:0000:0000:%02x%02x:%02xff:fe%02x:%02x%02x",
                  b[0] ^ 2U, b[1], b[2], b[3], b[4], b[5]);
    return std::string(text.data());
}

} // namespace rnh::cni
