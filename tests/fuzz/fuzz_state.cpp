// SPDX-License-Identifier: Apache-2.0
// oci::parse_state: the OCI state a runtime writes on the hook's stdin, and
// the request its annotations make, as prestart reads them.
#include "fuzz.hpp"

#include "oci/request.hpp"
#include "oci/state.hpp"

#include <optional>

using namespace rnh;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::optional<oci::State> state;
    try {
        state = oci::parse_state(fuzz::as_text(data, size));
    } catch (const Error&) {
        return 0;
    }
    fuzz::must_accept([&] { oci::check_container_id(state->id); }, "check_container_id(state.id)");
    fuzz::require(!state->pid || *state->pid > 0, "a parsed pid is positive");
    if (state->annotations) {
        try {
            (void)oci::request_from_annotations(*state->annotations);
        } catch (const Error&) {
        }
    }
    return 0;
}
