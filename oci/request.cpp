#include "oci/request.hpp"

#include "base/error.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

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

// Far above any node's device count; bounds the work a hostile list can cause.
constexpr std::size_t max_list_items = 1024;

template <typename Check>
std::vector<std::string> parse_list(std::string_view value, const std::string& source, Check check)
{
    const std::string whole(value);
    std::vector<std::string> items;
    for (std::size_t seen = 1;; ++seen) {
        if (seen > max_list_items)
            fail(source + " lists more than " + std::to_string(max_list_items) + " items",
                 "request only the devices this container needs");
        auto comma = value.find(',');
        auto item = std::string(trim(value.substr(0, comma)));
        if (item.empty())
            fail(source + " has an empty item in \"" + whole + "\"",
                 "write a comma-separated list such as mlx5_0,mlx5_1");
        item = check(item, source);
        if (std::find(items.begin(), items.end(), item) == items.end())
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
    static const std::regex valid("[A-Za-z0-9_][A-Za-z0-9_.:-]{0,62}");
    if (!std::regex_match(name, valid))
        fail(source + ": \"" + name + "\" is not a valid RDMA device name",
             "names are 1 to 63 of [A-Za-z0-9_.:-], such as mlx5_0");
    return name;
}

// The kernel's dev_valid_name(): shorter than IFNAMSIZ (16), not "." or "..",
// no '/', ':' or white space.
std::string check_netdev_name(const std::string& name, const std::string& source)
{
    if (name.size() >= 16 || name == "." || name == ".." || !printable(name) ||
        name.find_first_of("/:") != std::string::npos)
        fail(source + ": \"" + name + "\" is not a valid network interface name",
             "names are 1 to 15 printable characters without '/', ':' or spaces, such as eth1");
    return name;
}

std::string check_pci_address(const std::string& address, const std::string& source)
{
    static const std::regex full("([0-9a-f]{4,8}):([0-9a-f]{2}):([01][0-9a-f])\\.([0-7])",
                                 std::regex::icase);
    static const std::regex short_form("([0-9a-f]{2}):([01][0-9a-f])\\.([0-7])", std::regex::icase);
    std::string normal;
    if (std::regex_match(address, full))
        normal = address;
    else if (std::regex_match(address, short_form))
        normal = "0000:" + address;
    else
        fail(source + ": \"" + address + "\" is not a PCI address",
             "write domain:bus:device.function in hex, such as 0000:3b:00.1");
    std::transform(normal.begin(), normal.end(), normal.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return normal;
}

} // namespace

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
    return request;
}

} // namespace rnh::oci
