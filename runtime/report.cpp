// SPDX-License-Identifier: Apache-2.0
#include "runtime/report.hpp"

#include "base/utc.hpp"

#include <nlohmann/json.hpp>

namespace rnh::runtime {

std::string log_record(std::string_view message, std::string_view format, std::time_t now)
{
    const std::string stamp = utc_timestamp(now);
    const std::string msg(message);
    if (format == "json") {
        nlohmann::ordered_json record;
        record["level"] = "error";
        record["msg"] = msg;
        record["time"] = stamp;
        return record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
    return "time=\"" + stamp + "\" level=error msg=" +
           nlohmann::json(msg).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
           "\n";
}

} // namespace rnh::runtime
