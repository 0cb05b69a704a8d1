// SPDX-License-Identifier: Apache-2.0
#ifdef RNH_FAULT_INJECTION

#include "hook/kernel/fault_points.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace rnh {

void fault_point(std::string_view name)
{
    const char* fault = std::getenv("RNH_FAULT");
    if (fault == nullptr || name != fault)
        return;
    if (const char* marker = std::getenv("RNH_FAULT_MARKER"))
        std::ofstream(marker) << ::getpid() << "\n";
    for (;;)
        std::this_thread::sleep_for(std::chrono::hours(1));
}

bool fault_fails(std::string_view name)
{
    const char* fault = std::getenv("RNH_FAULT");
    return fault != nullptr && name == fault;
}

void report_usage()
{
    const char* log = std::getenv("RNH_USAGE_LOG");
    if (log == nullptr)
        return;
    std::error_code ec;
    long fds = 0;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
        ++fds;
    std::ifstream status("/proc/self/status");
    std::string line, peak = "?";
    while (std::getline(status, line))
        if (line.starts_with("VmHWM:"))
            peak = line.substr(line.find_first_of("0123456789"),
                               line.find(" kB") - line.find_first_of("0123456789"));
    std::ofstream(log, std::ios::app) << "fds=" << fds << " peak_rss_kb=" << peak << "\n";
}

} // namespace rnh

#endif
