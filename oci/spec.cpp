// SPDX-License-Identifier: Apache-2.0
#include "oci/spec.hpp"

#include "base/error.hpp"
#include "base/file.hpp"
#include "base/json.hpp"
#include "oci/annotations.hpp"

#include <utility>

namespace rnh::oci {
namespace {

std::optional<std::string> network_namespace_path(const nlohmann::json& spec,
                                                  const std::string& what)
{
    const auto* linux_section = member(spec, "linux", what);
    if (linux_section == nullptr)
        return std::nullopt;
    const auto* namespaces = member(*linux_section, "namespaces", what);
    if (namespaces == nullptr)
        return std::nullopt;
    if (!namespaces->is_array())
        fail(what + ": \"linux.namespaces\" must be an array");
    for (const auto& ns : *namespaces) {
        const std::string entry = what + ": an entry of \"linux.namespaces\"";
        if (string_member(ns, "type", entry) != "network" || member(ns, "path", entry) == nullptr)
            continue;
        auto path = string_member(ns, "path", entry);
        if (path.empty() || path.front() != '/')
            fail(entry + " has a network namespace path \"" + path + "\" that is not absolute");
        return path;
    }
    return std::nullopt;
}

std::optional<std::uint64_t> memlock_rlimit(const nlohmann::json& spec, const std::string& what)
{
    const auto* process = member(spec, "process", what);
    const auto* rlimits = process == nullptr ? nullptr : member(*process, "rlimits", what);
    if (rlimits == nullptr)
        return std::nullopt;
    if (!rlimits->is_array())
        fail(what + ": \"process.rlimits\" must be an array");
    for (const auto& rlimit : *rlimits) {
        const std::string entry = what + ": an entry of \"process.rlimits\"";
        if (string_member(rlimit, "type", entry) != "RLIMIT_MEMLOCK")
            continue;
        const auto* soft = member(rlimit, "soft", entry);
        if (soft == nullptr || !soft->is_number_unsigned())
            fail(entry + " for RLIMIT_MEMLOCK has no \"soft\" limit that is a whole number",
                 "the OCI spec's limits are unsigned 64-bit numbers: unlimited is "
                 "18446744073709551615");
        return soft->get<std::uint64_t>();
    }
    return std::nullopt;
}

} // namespace

std::optional<std::uint64_t> MemlockRlimit::value() const
{
    if (unreadable_)
        throw *unreadable_;
    return soft_;
}

Spec parse_spec(std::string_view json, const std::string& what)
{
    auto doc = parse_json(json, what);
    Spec spec;
    if (const auto* annotations = member(doc, "annotations", what))
        spec.annotations = parse_annotations(*annotations, what);
    spec.netns_path = network_namespace_path(doc, what);
    try {
        spec.memlock = MemlockRlimit(memlock_rlimit(doc, what));
    } catch (Error& e) {
        spec.memlock = MemlockRlimit(std::move(e));
    }
    return spec;
}

Spec read_spec(const std::string& bundle)
{
    if (bundle.empty() || bundle.front() != '/')
        fail("the bundle path \"" + bundle + "\" in the OCI state is not absolute");
    auto fd = open_regular_nofollow(bundle, "config.json");
    const std::string what = bundle + "/config.json";
    return parse_spec(read_limited(fd.get(), spec_max_bytes, what), what);
}

} // namespace rnh::oci
