// SPDX-License-Identifier: Apache-2.0
#include "oci/state.hpp"

#include "base/error.hpp"
#include "base/file.hpp"
#include "base/json.hpp"
#include "oci/annotations.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

namespace rnh::oci {
namespace {

const std::string what = "the OCI state on stdin";

std::optional<pid_t> parse_pid(const nlohmann::json& state)
{
    const auto* pid = member(state, "pid", what);
    if (pid == nullptr)
        return std::nullopt;
    if (!pid->is_number_integer())
        fail(what + ": \"pid\" must be an integer, not " + std::string(pid->type_name()));
    auto value = pid->get<long long>();
    if (value < 0 || value > std::numeric_limits<pid_t>::max())
        fail(what + ": \"pid\" " + std::to_string(value) + " is not a process id");
    if (value == 0)
        return std::nullopt;
    return static_cast<pid_t>(value);
}

} // namespace

State parse_state(std::string_view json)
{
    auto doc = parse_json(json, what);
    State state;
    state.id = string_member(doc, "id", what);
    check_container_id(state.id);
    state.status = string_member(doc, "status", what);
    state.bundle = string_member(doc, "bundle", what);
    if (member(doc, "ociVersion", what) != nullptr)
        string_member(doc, "ociVersion", what); // checked, not used
    state.pid = parse_pid(doc);
    if (const auto* annotations = member(doc, "annotations", what))
        state.annotations = parse_annotations(*annotations, what);
    return state;
}

State read_state(int fd)
{
    return parse_state(read_limited(fd, state_max_bytes, what));
}

void check_container_id(const std::string& id)
{
    auto allowed = [](unsigned char c) {
        return std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == '+';
    };
    if (id.empty() || id.size() > 1024 || id.front() == '.' ||
        !std::all_of(id.begin(), id.end(), allowed))
        fail("container id \"" + id + "\" is not a valid OCI container id",
             "ids are 1 to 1024 of [A-Za-z0-9_.+-], not starting with a dot");
}

} // namespace rnh::oci
