#include "hook/container.hpp"

#include "base/error.hpp"
#include "oci/spec.hpp"

#include <algorithm>

namespace rnh {

Container describe_container(oci::State state, const std::vector<std::string>& devices)
{
    Container container;
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
    }
    container.state = std::move(state);
    return container;
}

Netns container_netns(const Container& container)
{
    if (container.state.pid)
        return netns_of_pid(*container.state.pid);
    if (container.netns_path)
        return netns_at_path(*container.netns_path);
    fail("the OCI state of container " + container.state.id +
             " has no pid and its config.json names no network namespace",
         "run the hook at the prestart or createRuntime stage, when the container exists");
}

} // namespace rnh
