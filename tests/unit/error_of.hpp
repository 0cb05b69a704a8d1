// The one-line message a call fails with, or "no error": what the user would
// read after "rdma-netns-hook: ".
#pragma once

#include "base/error.hpp"

#include <string>

template <typename F> std::string error_of(F f)
{
    try {
        f();
    } catch (const rnh::Error& e) {
        return e.what();
    }
    return "no error";
}
