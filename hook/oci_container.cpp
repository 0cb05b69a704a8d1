// SPDX-License-Identifier: Apache-2.0
#include "hook/oci_container.hpp"

#include "oci/spec.hpp"

#include <algorithm>

namespace rnh {

Container describe_container(const oci::State& state, const std::vector<std::string>& devices)
{
    Container container;
    container.id = state.id;
    container.pid = state.pid;
    std::optional<oci::Spec> spec;
    if (!state.annotations)
        spec = oci::read_spec(state.bundle);
    container.request =
        oci::request_from_annotations(state.annotations ? *state.annotations : spec->annotations);
    auto& asked = container.request.devices;
    for (const auto& name : devices)
        if (std::find(asked.begin(), asked.end(), name) == asked.end())
            asked.push_back(name);
    if (!container.request.empty()) {
        if (!spec)
            spec = oci::read_spec(state.bundle);
        container.netns_path = spec->netns_path;
        container.spec_memlock = spec->memlock.value();
    }
    return container;
}

} // namespace rnh
