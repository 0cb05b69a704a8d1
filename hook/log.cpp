// SPDX-License-Identifier: Apache-2.0
#include "hook/log.hpp"

#include "base/escape.hpp"

#include <syslog.h>

#include <cstdio>

namespace rnh {
namespace {

const char* log_name = "rdma-netns-hook";

void say(int priority, const char* prefix, const std::string& message)
{
    const auto line = escaped_line(message);
    std::fprintf(stderr, "%s: %s%s\n", log_name, prefix, line.c_str());
    openlog(log_name, LOG_PID, LOG_DAEMON);
    syslog(priority, "%s%s", prefix, line.c_str());
}

} // namespace

void set_log_name(const char* name)
{
    log_name = name;
}

void log_error(const std::string& message)
{
    say(LOG_ERR, "", message);
}

void log_warning(const std::string& message)
{
    say(LOG_WARNING, "warning: ", message);
}

} // namespace rnh
