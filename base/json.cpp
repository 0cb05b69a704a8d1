// SPDX-License-Identifier: Apache-2.0
#include "base/json.hpp"

#include "base/error.hpp"

namespace rnh {
namespace {

// Deepest nesting of objects and arrays in text, not counting brackets in strings.
int nesting_depth(std::string_view text)
{
    int depth = 0, deepest = 0;
    bool in_string = false, escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            deepest = std::max(deepest, ++depth);
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return deepest;
}

} // namespace

nlohmann::json parse_json(std::string_view text, const std::string& what)
{
    if (nesting_depth(text) > json_max_depth)
        fail(what + " nests deeper than " + std::to_string(json_max_depth) + " levels");
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        fail(what + " is not valid JSON (" + e.what() + ")");
    }
}

const nlohmann::json* member(const nlohmann::json& obj, const char* key, const std::string& what)
{
    if (!obj.is_object())
        fail(what + " must be a JSON object, not " + obj.type_name());
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null())
        return nullptr;
    return &*it;
}

std::string string_member(const nlohmann::json& obj, const char* key, const std::string& what)
{
    const auto* value = member(obj, key, what);
    if (value == nullptr)
        fail(what + " has no \"" + key + "\"");
    if (!value->is_string())
        fail(what + ": \"" + key + "\" must be a string, not " + value->type_name());
    return value->get<std::string>();
}

} // namespace rnh
