// SPDX-License-Identifier: Apache-2.0
// oci::parse_spec: a bundle's config.json, the request its annotations make, and its
// RLIMIT_MEMLOCK.
#include "fuzz.hpp"

#include "oci/request.hpp"
#include "oci/spec.hpp"

#include <cstdint>
#include <optional>

using namespace rnh;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::optional<oci::Spec> spec;
    try {
        spec = oci::parse_spec(fuzz::as_text(data, size), "config.json");
    } catch (const Error&) {
        return 0;
    }
    fuzz::require(!spec->netns_path || spec->netns_path->starts_with('/'),
                  "a network namespace path is absolute");
    try {
        (void)oci::request_from_annotations(spec->annotations);
    } catch (const Error&) {
    }
    // read only for a container given devices
    try {
        (void)spec->memlock.value();
    } catch (const Error&) {
    }
    return 0;
}
