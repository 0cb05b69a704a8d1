// SPDX-License-Identifier: Apache-2.0
// assignment_from_json: one journal file. What it accepts must survive a
// round trip through to_json, since the hook rewrites the journal it read.
#include "fuzz.hpp"

#include "hook/state/journal.hpp"

#include <optional>
#include <string>

using namespace rnh;

namespace {

bool same(const Assignment& x, const Assignment& y)
{
    return x.container_id == y.container_id && x.phase == y.phase && x.netns == y.netns &&
           x.netns_path == y.netns_path && x.pid == y.pid && x.devices == y.devices &&
           x.since == y.since;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto a =
        fuzz::accepted([&] { return assignment_from_json(fuzz::as_text(data, size), "journal"); });
    if (!a)
        return 0;
    const std::string json = to_json(*a);
    std::optional<Assignment> again;
    fuzz::must_accept([&] { again = assignment_from_json(json, "rewritten journal"); },
                      "reading back to_json() of an accepted journal");
    fuzz::require(same(*a, *again), "an accepted journal reads back unchanged from to_json()");
    return 0;
}
