// SPDX-License-Identifier: Apache-2.0
#include "oci/annotations.hpp"

#include "base/error.hpp"

#include <nlohmann/json.hpp>

namespace rnh::oci {

Annotations parse_annotations(const nlohmann::json& object, const std::string& what)
{
    if (!object.is_object())
        fail(what + ": \"annotations\" must be an object, not " + std::string(object.type_name()));
    Annotations annotations;
    for (const auto& [key, value] : object.items()) {
        if (!value.is_string())
            fail(what + ": annotation \"" + key + "\" must be a string, not " +
                 std::string(value.type_name()));
        annotations.emplace(key, value.get<std::string>());
    }
    return annotations;
}

} // namespace rnh::oci
