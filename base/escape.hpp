// SPDX-License-Identifier: Apache-2.0
// Configuration text as it may be echoed into a message, a log line or an
// error object: anything but printable ASCII and well-formed UTF-8 becomes
// \xNN, and a long text is cut.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rnh {

inline constexpr std::size_t escaped_max = 64;

// At most `max` bytes of `text`, escaped; a cut text ends in "...(N bytes)".
std::string escaped(std::string_view text, std::size_t max = escaped_max);

// Escapes a whole message (a log line), without cutting it.
std::string escaped_line(std::string_view text);

// True when `text` is well-formed UTF-8 with no control character (C0, DEL, C1).
bool printable_utf8(std::string_view text);

} // namespace rnh
