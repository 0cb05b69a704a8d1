// SPDX-License-Identifier: Apache-2.0
// The one-line message a call fails with, or "no error": what the user would
// read after "rdma-netns-hook: ".
#pragma once

#include "base/error.hpp"

#include <concepts>
#include <optional>
#include <string>

template <std::invocable F> std::string error_of(F f)
{
    try {
        f();
    } catch (const rnh::Error& e) {
        return e.what();
    }
    return "no error";
}

// The rnh::Error a call throws, for a test that looks at its parts; nothing
// when it throws none.
template <std::invocable F> std::optional<rnh::Error> error_from(F f)
{
    try {
        f();
    } catch (const rnh::Error& e) {
        return e;
    }
    return std::nullopt;
}
