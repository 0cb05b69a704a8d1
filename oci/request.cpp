// SPDX-License-Identifier: Apache-2.0
#include "oci/request.hpp"

#include "base/error.hpp"
#include "base/escape.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

namespace rnh::oci {
namespace {

std::string_view trim(std::string_view s)
{
    auto blank = [](char c) { return c == ' ' || c == '\t'; };
    while (!s.empty() && blank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && blank(s.back()))
        s.remove_suffix(1);
    return s;
}

template <typename Check>
std::vector<std::string> parse_list(std::string_view value, const std::string& source, Check check)
{
    const std::string_view whole = value;
    std::vector<std::string> items;
    std::set<std::string, std::less<>> distinct;
    for (std::size_t seen = 1;; ++seen) {
        if (seen > max_list_items)
            fail(source + " lists more than " + std::to_string(max_list_items) + " items",
                 "request only the devices this container needs");
        auto comma = value.find(',');
        auto item = std::string(trim(value.substr(0, comma)));
        if (item.empty())
            fail(source + " has an empty item in \"" + escaped(whole) + "\"",
                 "write a comma-separated list such as mlx5_0,mlx5_1");
        item = check(item, source);
        if (distinct.insert(item).second)
            items.push_back(std::move(item));
        if (comma == std::string_view::npos)
            return items;
        value.remove_prefix(comma + 1);
    }
}

bool printable(const std::string& s)
{
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isgraph(c); });
}

// IB_DEVICE_NAME_MAX is 64 with the NUL. Names are limited further to what
// kernels and udev actually produce, so nothing odd reaches a path or a log.
std::string check_device_name(const std::string& name, const std::string& source)
{
    auto allowed = [](unsigned char c) {
        return std::isalnum(c) || c == '_' || c == '.' || c == ':' || c == '-';
    };
    bool valid = !name.empty() && name.size() <= 63 && name.front() != '.' && name.front() != ':' &&
                 name.front() != '-' && std::all_of(name.begin(), name.end(), allowed);
    if (!valid)
        fail(source + ": \"" + escaped(name) + "\" is not a valid RDMA device name",
             "names are 1 to 63 of [A-Za-z0-9_.:-], such as mlx5_0");
    return name;
}

// The kernel's dev_valid_name(): shorter than IFNAMSIZ (16), not "." or "..",
// no '/', ':' or white space.
std::string check_netdev_name(const std::string& name, const std::string& source)
{
    if (name.size() >= 16 || name == "." || name == ".." || !printable(name) ||
        name.find_first_of("/:") != std::string::npos)
        fail(source + ": \"" + escaped(name) + "\" is not a valid network interface name",
             "names are 1 to 15 printable characters without '/', ':' or spaces, such as eth1");
    return name;
}

std::string check_pci_address(const std::string& address, const std::string& source)
{
    auto normal = normal_pci_address(address);
    if (!normal)
        fail(source + ": \"" + escaped(address) + "\" is not a PCI address",
             "write domain:bus:device.function in hex, such as 0000:3b:00.1");
    return *normal;
}

} // namespace

// domain (4 to 8 hex digits, optional), bus (2), device (2, below 0x20),
// function (0 to 7): "0000:3b:00.1" or "3b:00.1".
std::optional<std::string> normal_pci_address(std::string_view address)
{
    auto hex = [](std::string_view digits) {
        return !digits.empty() && std::all_of(digits.begin(), digits.end(),
                                              [](unsigned char c) { return std::isxdigit(c); });
    };
    auto first_colon = address.find(':');
    auto last_colon = address.rfind(':');
    auto dot = address.find('.');
    if (first_colon == std::string_view::npos || dot == std::string_view::npos || dot < last_colon)
        return std::nullopt;
    auto domain =
        first_colon == last_colon ? std::string_view("0000") : address.substr(0, first_colon);
    auto bus = address.substr(first_colon == last_colon ? 0 : first_colon + 1,
                              last_colon - (first_colon == last_colon ? 0 : first_colon + 1));
    auto device = address.substr(last_colon + 1, dot - last_colon - 1);
    auto function = address.substr(dot + 1);
    if (domain.size() < 4 || domain.size() > 8 || !hex(domain) || bus.size() != 2 || !hex(bus) ||
        device.size() != 2 || !hex(device) || (device[0] != '0' && device[0] != '1') ||
        function.size() != 1 || function[0] < '0' || function[0] > '7')
        return std::nullopt;
    std::string normal;
    normal.append(domain).append(":").append(bus).append(":").append(device).append(".").append(
        function);
    std::transform(normal.begin(), normal.end(), normal.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return normal;
}

std::vector<std::string> parse_device_list(std::string_view value, const std::string& source)
{
    return parse_list(value, source, check_device_name);
}

std::vector<std::string> parse_netdev_list(std::string_view value, const std::string& source)
{
    return parse_list(value, source, check_netdev_name);
}

std::vector<std::string> parse_pci_list(std::string_view value, const std::string& source)
{
    return parse_list(value, source, check_pci_address);
}

std::uint64_t parse_memlock(std::string_view value, const std::string& source)
{
    const std::string whole(value);
    value = trim(value);
    if (value == "unlimited")
        return memlock_unlimited;
    constexpr std::string_view suffixes = "KMGT";
    unsigned shift = 0;
    if (!value.empty())
        if (auto at = suffixes.find(static_cast<char>(std::toupper(value.back())));
            at != std::string_view::npos) {
            shift = 10 * static_cast<unsigned>(at + 1);
            value.remove_suffix(1);
        }
    std::uint64_t number = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    // below RLIM_INFINITY, which only "unlimited" names
    bool valid = !value.empty() && std::isdigit(static_cast<unsigned char>(value.front())) &&
                 ec == std::errc() && end == value.data() + value.size() &&
                 number <= (memlock_unlimited - 1) >> shift;
    if (!valid)
        fail(source + ": \"" + escaped(whole) + "\" is not a size of locked memory",
             "write bytes, a number with K, M, G or T (powers of 1024) such as 64M, or unlimited");
    return number << shift;
}

std::string memlock_text(std::uint64_t bytes)
{
    if (bytes == memlock_unlimited)
        return "unlimited";
    constexpr std::string_view suffixes = "KMGT";
    std::size_t unit = 0;
    while (bytes != 0 && unit < suffixes.size() && bytes % 1024 == 0) {
        bytes /= 1024;
        ++unit;
    }
    return std::to_string(bytes) + (unit == 0 ? "" : std::string(1, suffixes[unit - 1]));
}

bool parse_with_netdevs(std::string_view value, const std::string& source)
{
    if (value == "true")
        return true;
    if (value == "false")
        return false;
    fail(source + " is \"" + escaped(value) + "\"", "write true or false");
}

Request request_from_annotations(const Annotations& annotations)
{
    Request request;
    auto read = [&annotations](std::string_view key, auto parse, std::vector<std::string>& out) {
        auto it = annotations.find(std::string(key));
        if (it != annotations.end())
            out = parse(it->second, "annotation " + std::string(key));
    };
    read(annotation_devices, parse_device_list, request.devices);
    read(annotation_netdevs, parse_netdev_list, request.netdevs);
    read(annotation_pci, parse_pci_list, request.pci);
    if (auto it = annotations.find(std::string(annotation_memlock)); it != annotations.end())
        request.memlock =
            parse_memlock(it->second, "annotation " + std::string(annotation_memlock));
    auto with = annotations.find(std::string(annotation_with_netdevs));
    if (with != annotations.end())
        request.with_netdevs =
            parse_with_netdevs(with->second, "annotation " + std::string(annotation_with_netdevs));
    return request;
}

} // namespace rnh::oci
