#include "runtime/report.hpp"

#include <nlohmann/json.hpp>

namespace rnh::runtime {

std::string log_record(std::string_view message, std::string_view format, std::time_t now)
{
    char stamp[32] = "1970-01-01T00:00:00Z";
    struct tm utc {};
    if (::gmtime_r(&now, &utc) != nullptr)
        std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
    const std::string msg(message);
    if (format == "json") {
        nlohmann::ordered_json record;
        record["level"] = "error";
        record["msg"] = msg;
        record["time"] = stamp;
        return record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
    return std::string("time=\"") + stamp + "\" level=error msg=" +
           nlohmann::json(msg).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
           "\n";
}

} // namespace rnh::runtime
