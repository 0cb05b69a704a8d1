// SPDX-License-Identifier: Apache-2.0
#include "hook/plan/device_list.hpp"

#include <algorithm>

namespace rnh {

const nl::Device* find_named(const std::vector<nl::Device>& devices, const std::string& name)
{
    auto it = std::find_if(devices.begin(), devices.end(),
                           [&name](const nl::Device& d) { return d.name == name; });
    return it == devices.end() ? nullptr : &*it;
}

std::vector<std::string> known_names(std::vector<std::string> wanted,
                                     std::vector<std::string> known)
{
    std::sort(known.begin(), known.end());
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    std::erase_if(wanted, [&known](const std::string& name) {
        return !std::binary_search(known.begin(), known.end(), name);
    });
    return wanted;
}

std::vector<std::string> names_of(const std::vector<nl::Device>& devices)
{
    std::vector<std::string> names;
    names.reserve(devices.size());
    for (const auto& d : devices)
        names.push_back(d.name);
    return names;
}

std::string listing(const std::vector<std::string>& names)
{
    if (names.empty())
        return "none";
    std::string text;
    for (const auto& name : names)
        text += (text.empty() ? "" : ", ") + name;
    return text;
}

} // namespace rnh
