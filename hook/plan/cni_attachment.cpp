// SPDX-License-Identifier: Apache-2.0
#include "hook/plan/cni_attachment.hpp"

#include "base/error.hpp"
#include "base/escape.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>

namespace rnh {

void check_cni_container_id(const std::string& id)
{
    auto allowed = [](unsigned char c) {
        return std::isalnum(c) || c == '_' || c == '.' || c == '-';
    };
    if (id.empty() || id.size() > 1024 || !std::isalnum(static_cast<unsigned char>(id.front())) ||
        !std::all_of(id.begin(), id.end(), allowed))
        fail("CNI_CONTAINERID \"" + escaped(id) + "\" is not a valid CNI container id",
             "ids are 1 to 1024 of [A-Za-z0-9_.-], starting with a letter or digit");
}

void check_cni_ifname(const std::string& ifname)
{
    auto allowed = [](unsigned char c) { return c > ' ' && c < 0x7f && c != '/' && c != ':'; };
    if (ifname.empty() || ifname.size() > 15 || ifname == "." || ifname == ".." ||
        !std::all_of(ifname.begin(), ifname.end(), allowed))
        fail("CNI_IFNAME \"" + escaped(ifname) + "\" is not a valid interface name",
             "names are 1 to 15 printable characters, not \".\" or \"..\", without '/', ':' "
             "or blanks");
}

std::string attachment_key(const std::string& container_id, const std::string& ifname)
{
    check_cni_container_id(container_id);
    check_cni_ifname(ifname);
    return container_id + "@" + ifname;
}

std::string config_identity(std::string_view canonical)
{
    std::uint64_t hash = 14695981039346656037ULL;
    for (const unsigned char c : canonical) {
        hash ^= c;
        hash *= 1099511628211ULL;
    }
    std::array<char, 17> text{};
    std::snprintf(text.data(), text.size(), "%016llx", static_cast<unsigned long long>(hash));
    return text.data();
}

} // namespace rnh
