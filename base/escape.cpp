// SPDX-License-Identifier: Apache-2.0
#include "base/escape.hpp"

#include <cstdint>

namespace rnh {
namespace {

// The length of the well-formed, printable UTF-8 sequence at the start of
// `text` (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF),
// or 0 when it starts with anything else.
std::size_t printable_sequence(std::string_view text)
{
    const auto c = static_cast<unsigned char>(text[0]);
    if (c < 0x80)
        return c >= 0x20 && c != 0x7f ? 1 : 0;
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (c >= 0xc2 && c <= 0xdf) {
        length = 2;
        code = c & 0x1fU;
    } else if (c >= 0xe0 && c <= 0xef) {
        length = 3;
        code = c & 0x0fU;
    } else if (c >= 0xf0 && c <= 0xf4) {
        length = 4;
        code = c & 0x07U;
    } else {
        return 0;
    }
    if (text.size() < length)
        return 0;
    for (std::size_t i = 1; i < length; ++i) {
        const auto next = static_cast<unsigned char>(text[i]);
        if ((next & 0xc0U) != 0x80)
            return 0;
        code = (code << 6) | (next & 0x3fU);
    }
    const bool overlong = (length == 3 && code < 0x800) || (length == 4 && code < 0x10000);
    const bool surrogate = code >= 0xd800 && code <= 0xdfff;
    const bool c1 = code >= 0x80 && code <= 0x9f;
    if (overlong || surrogate || c1 || code > 0x10ffff)
        return 0;
    return length;
}

void escape_into(std::string& out, std::string_view text, std::size_t max)
{
    constexpr char hex[] = "0123456789abcdef";
    std::size_t used = 0;
    while (used < text.size() && out.size() < max) {
        if (const auto n = printable_sequence(text.substr(used))) {
            out.append(text.substr(used, n));
            used += n;
            continue;
        }
        const auto c = static_cast<unsigned char>(text[used++]);
        out.append("\\x").push_back(hex[c >> 4]);
        out.push_back(hex[c & 0xfU]);
    }
    if (used < text.size())
        out.append("...(" + std::to_string(text.size()) + " bytes)");
}

} // namespace

std::string escaped(std::string_view text, std::size_t max)
{
    std::string out;
    escape_into(out, text, max);
    return out;
}

std::string escaped_line(std::string_view text)
{
    std::string out;
    escape_into(out, text, std::string::npos);
    return out;
}

bool printable_utf8(std::string_view text)
{
    for (std::size_t at = 0; at < text.size();) {
        const auto n = printable_sequence(text.substr(at));
        if (n == 0)
            return false;
        at += n;
    }
    return true;
}

} // namespace rnh
