// SPDX-License-Identifier: Apache-2.0
#include "netlink/device_dump.hpp"

#include <algorithm>

namespace rnh::nl {

namespace {

// Both in the kernel's order, by index; a multi-part dump can also list a
// device twice when one arrives between parts, so duplicates go too.
std::vector<Device> merged(const std::vector<Device>& first, const std::vector<Device>& second)
{
    std::vector<Device> all = second;
    all.insert(all.end(), first.begin(), first.end());
    std::stable_sort(all.begin(), all.end(),
                     [](const Device& a, const Device& b) { return a.index < b.index; });
    all.erase(std::unique(all.begin(), all.end(),
                          [](const Device& a, const Device& b) { return a.index == b.index; }),
              all.end());
    return all;
}

} // namespace

std::vector<Device> settle_devices(const std::function<DeviceDump()>& take)
{
    DeviceDump first = take();
    if (first.parts <= 1)
        return std::move(first.devices);
    DeviceDump second = take();
    if (second.parts <= 1)
        return std::move(second.devices);
    return merged(first.devices, second.devices);
}

} // namespace rnh::nl
