// SPDX-License-Identifier: Apache-2.0
// request_from_annotations and the list parsers behind it.
//
// Input: lines. A line "key=value" is an annotation; a line without '=' is
// the value of one of the three rdma.netns/ annotations, chosen by its line
// number, so that mutations reach the list parsers without first having to
// spell a key. The whole input also goes to each list parser directly.
#include "fuzz.hpp"

#include "oci/request.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

using namespace rnh;

namespace {

using Parser = std::vector<std::string> (*)(std::string_view, const std::string&);

std::string join(const std::vector<std::string>& items)
{
    std::string out;
    for (const auto& item : items)
        out += (out.empty() ? "" : ",") + item;
    return out;
}

// What a list parser returns: a non-empty list of distinct, non-empty items
// that reads back as itself.
void check_list(const std::vector<std::string>& items, Parser parse, const char* name)
{
    fuzz::require(!items.empty(), "a parsed list is not empty");
    for (auto it = items.begin(); it != items.end(); ++it) {
        fuzz::require(!it->empty(), "list items are not empty");
        fuzz::require(std::find(items.begin(), it, *it) == it, "list items are distinct");
    }
    std::vector<std::string> again;
    fuzz::must_accept([&] { again = parse(join(items), "rejoined list"); }, name);
    fuzz::require(again == items, "a parsed list reads back as itself");
}

bool is_pci(const std::string& a)
{
    // What parse_pci_list normalises to: dddd:bb:dd.f in lower-case hex, 4 to 8 domain digits.
    auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
    const auto n = a.find(':');
    if (n == std::string::npos || n < 4 || n > 8 || a.size() != n + 8)
        return false;
    return std::all_of(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(n), hex) &&
           hex(a[n + 1]) && hex(a[n + 2]) && a[n + 3] == ':' &&
           (a[n + 4] == '0' || a[n + 4] == '1') && hex(a[n + 5]) && a[n + 6] == '.' &&
           a[n + 7] >= '0' && a[n + 7] <= '7';
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view input = fuzz::as_text(data, size);
    static constexpr std::array<std::string_view, 3> keys{
        oci::annotation_devices, oci::annotation_netdevs, oci::annotation_pci};
    static constexpr std::array<Parser, 3> parsers{oci::parse_device_list, oci::parse_netdev_list,
                                                   oci::parse_pci_list};
    static constexpr std::array<const char*, 3> names{"parse_device_list", "parse_netdev_list",
                                                      "parse_pci_list"};

    oci::Annotations annotations;
    std::size_t line_no = 0;
    for (std::string_view rest = input; !rest.empty(); ++line_no) {
        const auto end = std::min(rest.find('\n'), rest.size());
        const std::string_view line = rest.substr(0, end);
        rest.remove_prefix(std::min(end + 1, rest.size()));
        const auto eq = line.find('=');
        if (eq == std::string_view::npos)
            annotations[std::string(keys[line_no % keys.size()])] = std::string(line);
        else
            annotations[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
    }

    try {
        const oci::Request request = oci::request_from_annotations(annotations);
        const std::array<const std::vector<std::string>*, 3> lists{&request.devices,
                                                                   &request.netdevs, &request.pci};
        for (std::size_t i = 0; i < keys.size(); ++i) {
            fuzz::require(lists[i]->empty() == !annotations.contains(std::string(keys[i])),
                          "a list is set exactly when its annotation is");
            if (!lists[i]->empty())
                check_list(*lists[i], parsers[i], names[i]);
        }
        for (const auto& a : request.pci)
            fuzz::require(is_pci(a), "PCI addresses are normalised to dddd:bb:dd.f");
    } catch (const Error&) {
    }

    for (std::size_t i = 0; i < parsers.size(); ++i) {
        try {
            check_list(parsers[i](input, "input"), parsers[i], names[i]);
        } catch (const Error&) {
        }
    }
    return 0;
}
