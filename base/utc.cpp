// SPDX-License-Identifier: Apache-2.0
#include "base/utc.hpp"

namespace rnh {

std::string utc_timestamp(std::time_t t)
{
    char text[32] = "1970-01-01T00:00:00Z";
    std::tm tm{};
    if (::gmtime_r(&t, &tm) != nullptr)
        std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

} // namespace rnh
