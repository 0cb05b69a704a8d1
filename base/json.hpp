// SPDX-License-Identifier: Apache-2.0
// JSON parsing with the limits every input of the hook gets: bounded nesting,
// valid UTF-8, and errors that name the input.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace rnh {

inline constexpr int json_max_depth = 32;

nlohmann::json parse_json(std::string_view text, const std::string& what);

// Typed access to an object's member: errors name `what` and the key.
// Returns nullptr when the key is absent or null.
const nlohmann::json* member(const nlohmann::json& obj, const char* key, const std::string& what);
std::string string_member(const nlohmann::json& obj, const char* key, const std::string& what);

} // namespace rnh
