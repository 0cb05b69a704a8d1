// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "oci/state.hpp"

#include <nlohmann/json_fwd.hpp>

namespace rnh::oci {

// An "annotations" object: every value must be a string.
Annotations parse_annotations(const nlohmann::json& object, const std::string& what);

} // namespace rnh::oci
