// SPDX-License-Identifier: Apache-2.0
// Shared by the fuzz targets: what counts as a finding.
//
// Every parser under test reports bad input by throwing rnh::Error; that is
// the expected outcome and a target returns 0 for it. Anything else a target
// lets escape (another exception type ends in std::terminate), a sanitizer
// report, a timeout or a failed property check below is a finding.
#pragma once

#include "base/error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

namespace rnh::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size)
{
    return {reinterpret_cast<const char*>(data), size};
}

// A property every accepted input must have. Aborts, so libFuzzer saves the input.
inline void require(bool ok, const char* property)
{
    if (!ok) {
        std::fprintf(stderr, "fuzz: property violated: %s\n", property);
        std::abort();
    }
}

// What the parser call `f` returns, or nothing when it refuses the input.
template <typename F> auto accepted(F&& f) -> std::optional<decltype(f())>
{
    try {
        return f();
    } catch (const Error&) {
        return std::nullopt;
    }
}

// Runs `f`, which must not throw rnh::Error: it works on what a parser accepted.
template <typename F> void must_accept(F&& f, const char* what)
{
    try {
        f();
    } catch (const Error& e) {
        std::fprintf(stderr, "fuzz: %s failed: %s\n", what, e.what());
        std::abort();
    }
}

} // namespace rnh::fuzz
