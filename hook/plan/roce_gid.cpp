// SPDX-License-Identifier: Apache-2.0
#include "hook/plan/roce_gid.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>

namespace rnh {

std::string mac_text(const std::array<unsigned char, 6>& mac)
{
    constexpr std::string_view hex = "0123456789abcdef";
    std::string text;
    for (const unsigned char byte : mac) {
        if (!text.empty())
            text += ':';
        text += hex[byte >> 4];
        text += hex[byte & 0xf];
    }
    return text;
}

std::string mac_of_default_gid(std::string_view gid)
{
    // eight groups of four hex digits
    std::array<unsigned, 8> groups{};
    for (std::size_t i = 0; i < groups.size(); ++i) {
        const auto group = gid.substr(i * 5, 4);
        if (group.size() != 4 || (i < 7 && gid.substr(i * 5 + 4, 1) != ":"))
            return {};
        auto [end, ec] = std::from_chars(group.data(), group.data() + 4, groups[i], 16);
        if (ec != std::errc() || end != group.data() + 4)
            return {};
    }
    if (gid.size() != 39 || groups[0] != 0xfe80 || groups[1] != 0 || groups[2] != 0 ||
        groups[3] != 0 || (groups[5] & 0xff) != 0xff || groups[6] >> 8 != 0xfe)
        return {};
    // addrconf_ifid_eui48(): the MAC with ff:fe in the middle and the
    // universal/local bit flipped
    return mac_text(
        {static_cast<unsigned char>((groups[4] >> 8) ^ 0x02), static_cast<unsigned char>(groups[4]),
         static_cast<unsigned char>(groups[5] >> 8), static_cast<unsigned char>(groups[6]),
         static_cast<unsigned char>(groups[7] >> 8), static_cast<unsigned char>(groups[7])});
}

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

} // namespace rnh
