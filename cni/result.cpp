// SPDX-License-Identifier: Apache-2.0
#include "cni/result.hpp"

#include "base/escape.hpp"

#include <cstring>

namespace rnh::cni {

std::string add_result(const NetConf& conf)
{
    nlohmann::json result =
        conf.prev_result ? *conf.prev_result : nlohmann::json{{"dns", nlohmann::json::object()}};
    result["cniVersion"] = conf.cni_version;
    return result.dump() + "\n";
}

std::string version_result(std::string_view version)
{
    nlohmann::json versions = nlohmann::json::array();
    for (const auto v : supported_versions)
        versions.push_back(v);
    return nlohmann::json{{"cniVersion", version}, {"supportedVersions", versions}}.dump() + "\n";
}

std::string error_result(std::string_view version, Code code, const Error& error)
{
    std::string msg = error.context();
    if (error.err() != 0)
        msg += std::string(": ") + std::strerror(error.err());
    // JSON strings must be UTF-8: a message quoting a bad input is escaped.
    nlohmann::json doc{{"cniVersion", escaped_line(version)},
                       {"code", static_cast<int>(code)},
                       {"msg", escaped_line(msg)}};
    if (!error.hint().empty())
        doc["details"] = escaped_line(error.hint());
    return doc.dump() + "\n";
}

} // namespace rnh::cni
