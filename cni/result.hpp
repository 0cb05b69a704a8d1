// SPDX-License-Identifier: Apache-2.0
// What the plugin prints on stdout: ADD's result, VERSION's answer, and the
// error object (CNI specification, "Error").
#pragma once

#include "base/error.hpp"
#include "cni/netconf.hpp"

#include <string>
#include <string_view>

namespace rnh::cni {

// The specification's error codes this plugin gives.
enum class Code {
    incompatible_version = 1,
    invalid_env = 4,
    decoding = 6,
    invalid_config = 7,
    not_available = 50, // STATUS: not ready to ADD
    failed = 100,       // the plugin's own: a device could not be moved, checked or returned
};

// ADD: the previous plugin's result passed on unchanged, in the configuration's
// version; alone in a chain, an empty result of that version.
std::string add_result(const NetConf& conf);

// VERSION: the versions this plugin speaks, answered in `version`.
std::string version_result(std::string_view version);

// {"cniVersion", "code", "msg", "details"}: msg is what failed, details the
// remedy (the error's hint) when there is one.
std::string error_result(std::string_view version, Code code, const Error& error);

} // namespace rnh::cni
