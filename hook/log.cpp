// SPDX-License-Identifier: Apache-2.0
#include "hook/log.hpp"

#include <syslog.h>

#include <cstdio>

namespace rnh {
namespace {

void say(int priority, const char* prefix, const std::string& message)
{
    std::fprintf(stderr, "rdma-netns-hook: %s%s\n", prefix, message.c_str());
    openlog("rdma-netns-hook", LOG_PID, LOG_DAEMON);
    syslog(priority, "%s%s", prefix, message.c_str());
}

} // namespace

void log_error(const std::string& message)
{
    say(LOG_ERR, "", message);
}

void log_warning(const std::string& message)
{
    say(LOG_WARNING, "warning: ", message);
}

} // namespace rnh
